#include "k.h"
size_t k;
