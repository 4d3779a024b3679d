#include "p.h"
struct p v;
const char *f = __FILE__;
