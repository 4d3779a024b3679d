#define ALPHA 1
