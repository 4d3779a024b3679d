#include "d2.h"
