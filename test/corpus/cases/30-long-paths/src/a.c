#include "long.h"
const char *f (void) { return long_h; }
