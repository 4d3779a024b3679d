#include "c.h"
int cached = CACHED;
