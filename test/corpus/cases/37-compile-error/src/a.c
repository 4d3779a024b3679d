#include "decl.h"
int f (struct s *p)
{
  return p->missing_member + undeclared_identifier;
}
