static int sys_unused_static;   /* silenced: system header */
static inline int sys_f (int a, int b) { return a; }
