#define ONLY2 22
