#ifndef INNER_H
#define INNER_H
#define INNER 2
#endif
