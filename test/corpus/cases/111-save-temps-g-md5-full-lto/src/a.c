#include <string.h>
#include <stdio.h>
int t (const char *s) { return (int) strlen (s) + EOF; }
