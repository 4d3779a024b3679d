#include "p.h"
const char *f = __FILE__;
const char *g (void) { return hf; }
