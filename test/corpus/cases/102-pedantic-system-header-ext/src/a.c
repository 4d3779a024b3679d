#include <s.h>
int f (struct s *p) { return p->n + S(p->n); }
