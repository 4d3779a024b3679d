#include "nonl.h"
int v = NO_NL;