#include "v.h"
int value = VALUE;
