#include <thing.h>
#include <stdint.h>
int32_t v = WRAP_THING + REAL_THING;
