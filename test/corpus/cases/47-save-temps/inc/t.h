#define T(x) ((x) + 1)
