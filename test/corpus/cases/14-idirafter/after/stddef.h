#error "must not be used: the compiler's own stddef.h comes first"
