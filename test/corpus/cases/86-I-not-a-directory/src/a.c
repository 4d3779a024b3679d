#include "defs.h"
int v = DEFS;
