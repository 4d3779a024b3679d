#if __has_include_next(<thing.h>)
# include_next <thing.h>
#endif
#if __has_include_next(<nothing.h>)
# error "nothing.h does not exist"
#endif
#define WRAP_THING 1
