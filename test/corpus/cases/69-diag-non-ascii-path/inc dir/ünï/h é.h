static inline int h_é (int a, unsigned b) { return a < b; }
