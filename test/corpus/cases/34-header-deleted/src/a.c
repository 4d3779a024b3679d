#include "gone.h"
int gone = GONE;
