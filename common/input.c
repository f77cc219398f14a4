/* input.c - stub, to be written. */
#include "input.h"
