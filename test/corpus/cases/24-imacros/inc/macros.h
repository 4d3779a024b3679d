#define FROM_IMACROS 9
int discarded_declaration = 1;
