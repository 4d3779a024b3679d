struct node { struct node *next; int v; };
int sum (const struct node *n) { int s = 0; for (; n; n = n->next) s += n->v; return s; }
