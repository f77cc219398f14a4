#include "stem.h"
