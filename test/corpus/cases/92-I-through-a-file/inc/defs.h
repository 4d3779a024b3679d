#define DEFS 3
