#include <stddef.h>
#include "one_header_with_a_long_name.h"
#include "two_header_with_a_long_name.h"
int v = ONE + TWO + (int) sizeof (size_t);
