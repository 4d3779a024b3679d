#include "dup.h"
#include <only2.h>
int dup_from = DUP_FROM + ONLY2;
