#include "t.h"
int t (int v) { return T (v); }
