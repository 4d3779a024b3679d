const char date[] = __DATE__;
