#define ARCH 4
