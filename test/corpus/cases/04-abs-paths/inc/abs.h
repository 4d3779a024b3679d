static const char *const header_file = __FILE__;
