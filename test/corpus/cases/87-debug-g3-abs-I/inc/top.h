#ifndef TOP_H
#define TOP_H
#define TOP 1
#include "sub/inner.h"
#endif
