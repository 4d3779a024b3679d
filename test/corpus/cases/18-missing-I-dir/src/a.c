#include "h.h"
int h = H;
