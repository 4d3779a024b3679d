#define WRAPPED_LIMITS 1
#include_next <limits.h>
