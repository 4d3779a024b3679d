#include "top.h"
#include <inner.h>
#define LOCAL_MACRO (TOP + INNER)
int v = LOCAL_MACRO;
