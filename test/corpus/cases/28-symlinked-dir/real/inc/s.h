#include "../x.h"
