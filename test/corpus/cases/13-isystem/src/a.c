#include "user.h"
int g (void) { return sys_f (1, 2); }
