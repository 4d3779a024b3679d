#define RT(x) ((x)*3)
