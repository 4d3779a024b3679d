#include "present.h"
#warning "checking the configuration"
#if __has_include("config.h")
# include "config.h"
#elif __has_include(<config.h>)
# include <config.h>
#else
# error "config.h is missing: run ./configure first"
#endif
int v = PRESENT;
