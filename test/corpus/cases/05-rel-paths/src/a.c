#include "rel.h"
const char *a_file = __FILE__;
const char *h (void) { return rel_header; }
