#include "common.h"
#define STR_(x) #x
#define STR(x) STR_(x)
#include STR(VARIANT.h)
int use = COMMON;
