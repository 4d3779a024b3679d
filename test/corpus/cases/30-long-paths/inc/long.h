static const char *const long_h = __FILE__;
