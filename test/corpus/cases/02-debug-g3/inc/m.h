#ifndef M_H
#define M_H
#define SQUARE(x) ((x) * (x))
#define LIMIT 100
#undef LIMIT
#define LIMIT 200
#endif
