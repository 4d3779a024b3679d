struct s { int n; int a[0]; };
#define S(x) ({ int _t = (x); _t * 2; })
static inline long long ll (void) { return 0LL; }
