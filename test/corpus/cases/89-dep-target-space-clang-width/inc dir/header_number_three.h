#define C 3
