/* zio.c - stub, to be written. */
#include "zio.h"
