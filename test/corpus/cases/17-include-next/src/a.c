#include <x.h>
#include <limits.h>
int v = WRAPPED + REAL_X + WRAPPED_LIMITS + (INT_MAX > 0);
