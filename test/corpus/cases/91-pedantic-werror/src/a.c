#include <stdio.h>
#include "h.h"
int main (void) { printf ("%d\n", H); return 0; }
