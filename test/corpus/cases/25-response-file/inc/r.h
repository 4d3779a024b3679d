#define R 1
