#include "e.h"
int e = E (3);
