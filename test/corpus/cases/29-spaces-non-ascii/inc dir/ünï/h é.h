static const char *const h = __FILE__;
