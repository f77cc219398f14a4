/* article.c - stub, to be written. */
#include "article.h"
