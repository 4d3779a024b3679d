#include "r.h"
const char *greeting = GREETING;
int r = R;
