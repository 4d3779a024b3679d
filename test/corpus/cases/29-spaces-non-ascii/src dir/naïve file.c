#include "h é.h"
const char *f = __FILE__;
const char *get (void) { return h; }
