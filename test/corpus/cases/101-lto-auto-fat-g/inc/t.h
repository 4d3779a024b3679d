#define T(x) ((x) * 3)
