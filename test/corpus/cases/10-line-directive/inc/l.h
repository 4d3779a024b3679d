#line 500 "virtual/header.h"
static const char *const lh = __FILE__;
static int unused_in_header;
