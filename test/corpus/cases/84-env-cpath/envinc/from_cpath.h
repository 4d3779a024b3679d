#define FROM_CPATH 1
