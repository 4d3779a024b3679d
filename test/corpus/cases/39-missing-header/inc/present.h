#include "not_present.h"
