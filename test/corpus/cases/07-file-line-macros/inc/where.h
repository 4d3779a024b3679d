static const char *const h_file = __FILE__;
static const char *const h_base = __BASE_FILE__;
static const char *const h_name = __FILE_NAME__;
static const int h_line = __LINE__;
static const int h_level = __INCLUDE_LEVEL__;
