static const char *const h = __FILE__;
static int unused_é_var;
