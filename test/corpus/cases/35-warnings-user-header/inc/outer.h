#include "warn.h"
