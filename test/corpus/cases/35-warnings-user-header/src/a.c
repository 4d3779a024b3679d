#include "outer.h"

#define ASSIGN_IN_IF(x) if (x = 3) return 1
int f (int x, int y)
{
  int unused_local;
  ASSIGN_IN_IF (x);
  return in_header (y) + cmp_sign (x, 2u);
}
