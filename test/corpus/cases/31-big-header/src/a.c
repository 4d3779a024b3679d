#include "big.h"
unsigned int pick (unsigned i) { return big_table[i % (sizeof big_table / sizeof big_table[0])] + BIG_MACRO_149999; }
