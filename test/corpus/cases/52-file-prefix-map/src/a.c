const char *f = __FILE__;
int g (int x) { return x + 1; }
