/* date.c - stub, to be written. */
#include "date.h"
