#define MINI_STDDEF 1
typedef unsigned long size_t;
