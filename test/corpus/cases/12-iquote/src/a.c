#include "which.h"
#include <which.h>
#if defined WHICH_QUOTE && defined WHICH_ANGLE
int both = 1;
#endif
