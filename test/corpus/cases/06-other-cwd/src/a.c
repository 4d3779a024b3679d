#include "cwd.h"
const char *where (void) { return WHERE; }
const char *me (void) { return __FILE__; }
