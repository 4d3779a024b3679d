#define REAL_THING 2
