#include "m.h"
#define LOCAL_ONLY 7
int f (int v) { return SQUARE (v) + LIMIT + FROM_CMDLINE + LOCAL_ONLY; }
