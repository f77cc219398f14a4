/* stub */
#include "unicode.h"
