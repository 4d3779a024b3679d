#if __has_include("present.h")
# include "present.h"
#else
# error "present.h not found"
#endif
#if __has_include(<absent.h>)
# include <absent.h>
#else
# define ABSENT_MISSING 1
#endif
#if __has_include("probed_only.h")
int probed_only_exists = 1;
#endif
#if defined(__has_include) && !__has_include("absent_too.h")
int absent_too_missing = 1;
#endif
int v = PRESENT + ABSENT_MISSING;
