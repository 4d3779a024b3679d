#define WRAPPED 1
#include_next <x.h>
