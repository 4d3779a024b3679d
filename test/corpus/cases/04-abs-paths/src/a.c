#include "abs.h"
const char *names[] = { __FILE__, 0 };
const char *hdr (void) { return header_file; }
