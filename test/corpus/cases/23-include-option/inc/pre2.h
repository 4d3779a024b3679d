#define PRE2 2
