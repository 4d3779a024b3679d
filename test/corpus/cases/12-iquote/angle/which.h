#define WHICH_ANGLE 1
