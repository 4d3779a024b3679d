#define CACHED 1
