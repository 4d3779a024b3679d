#include "l.h"
#line 1000
int at_1000 = __LINE__;
#line 20 "generated.y"
const char *gen = __FILE__;
int f (void) { int unused_var; return 0; }
const void *keep = &lh;
