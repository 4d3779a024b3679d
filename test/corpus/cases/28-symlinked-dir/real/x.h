#define X_FROM_REAL 1
