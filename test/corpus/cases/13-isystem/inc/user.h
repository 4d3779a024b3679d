#include <sysdep.h>
