#define GEN 5
