#define UNUSED_PARAM_FN(name) static int name (int unused) { return 0; }
UNUSED_PARAM_FN (in_header)
static int never_used_in_header;
static inline int cmp_sign (int a, unsigned b) { return a < b; }
