const char *built = __DATE__ " " __TIME__;
