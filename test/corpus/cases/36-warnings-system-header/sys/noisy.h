static int noisy_unused;
static inline int noisy (int a, unsigned b) { return a < b; }
