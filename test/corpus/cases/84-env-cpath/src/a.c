#include "from_cpath.h"
#include <from_c_include_path.h>
int v = FROM_CPATH + FROM_C_INCLUDE_PATH;
