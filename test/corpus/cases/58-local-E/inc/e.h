#define E(x) (x * 2)
