#include <stddef.h>
#include <afteronly.h>
size_t n = AFTER_ONLY;
