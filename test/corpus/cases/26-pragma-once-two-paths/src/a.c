#include "once.h"
#include "../inc/once.h"
#include "../alias/once.h"
#include <once.h>
struct once_only v;
