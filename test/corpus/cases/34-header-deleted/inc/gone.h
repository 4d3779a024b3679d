#define GONE 1
