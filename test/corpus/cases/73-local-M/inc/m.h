#include <stddef.h>
#include "generated-later.h"
