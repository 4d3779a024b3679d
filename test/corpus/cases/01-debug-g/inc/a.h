#pragma once
struct point { int x, y; };
static inline int point_sum (struct point p) { return p.x + p.y; }
