/* stub */
#include "utf8.h"
