#define WHICH_QUOTE 1
