static const char *const rel_header = __FILE__;
