#define REAL_X 2
