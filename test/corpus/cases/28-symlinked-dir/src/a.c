#include "s.h"
int x = X_FROM_REAL;
