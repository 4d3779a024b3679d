const char *s = STR;
int e = 0 EMPTY;
int f = FN (1, 2);
#ifdef ONE
#error "-UONE after -DONE must undefine it"
#endif
