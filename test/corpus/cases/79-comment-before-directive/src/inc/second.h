static inline int second (void) { return 2; }
