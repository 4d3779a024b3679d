#include "header_number_one.h"
#include "header_number_two.h"
#include "header_number_three.h"
int v = A + B + C;
