#define PLAIN 2
