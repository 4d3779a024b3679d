#ifndef GUARDED_H
#define GUARDED_H
struct guarded { int y; };
#endif
