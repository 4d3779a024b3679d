#include "where.h"
const char *file = __FILE__;
const char *base = __BASE_FILE__;
const char *name = __FILE_NAME__;
int line = __LINE__;
int level = __INCLUDE_LEVEL__;
const void *all[] = { &h_file, &h_base, &h_name, &h_line, &h_level };
