#include "h é.h"
int f (void) { int unused_here; return h_é (1, 2u); }
