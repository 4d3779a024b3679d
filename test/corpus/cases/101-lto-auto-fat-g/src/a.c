#include "t.h"
int f (int v) { return T (v) + 1; }
