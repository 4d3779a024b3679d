#include <s.h>
int g (void) { return sizeof (struct s); }
