#include "e.h"
#include <stddef.h>
int e = E;
