#include "analyze.h"
