#include "h.h"
int f () { return H; }
