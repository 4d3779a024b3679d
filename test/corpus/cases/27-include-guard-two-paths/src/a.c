#include "../inc/guarded.h"
#include "../linked/guarded.h"
#include <guarded.h>
struct guarded g;
