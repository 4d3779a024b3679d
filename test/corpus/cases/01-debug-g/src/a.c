#include "a.h"

int total (struct point *ps, int n)
{
  int t = 0;
  for (int i = 0; i < n; i++)
    t += point_sum (ps[i]);
  return t;
}
