int use_stack (int n) { volatile char buf[256]; buf[n & 255] = 1; return buf[0]; }
int leaf (int a) { return a * 2; }
