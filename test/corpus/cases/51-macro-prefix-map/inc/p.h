static const char *const hf = __FILE__;
