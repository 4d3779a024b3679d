#if __has_include_next(<stdint.h>)
# include_next <stdint.h>
#endif
