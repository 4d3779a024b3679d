#include "present.h"
int x;
