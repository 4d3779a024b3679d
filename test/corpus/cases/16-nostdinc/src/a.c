#include <stddef.h>
#ifndef MINI_STDDEF
#error "wrong stddef.h"
#endif
size_t z;
#if __has_include(<stdio.h>)
#error "stdio.h must be invisible under -nostdinc"
#endif
