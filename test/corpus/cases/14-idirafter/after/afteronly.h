#define AFTER_ONLY 3
