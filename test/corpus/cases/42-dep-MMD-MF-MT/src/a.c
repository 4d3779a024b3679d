#include "d1.h"
int x;
