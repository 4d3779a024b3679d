#include <noisy.h>
#include <quiet.h>
int g (void) { return noisy (1, 2); }
