const char *stamp = __TIMESTAMP__;
