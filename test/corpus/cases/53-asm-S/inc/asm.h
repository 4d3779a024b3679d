#define RETVAL 42
#define FUNC(name) .globl name; .type name, @function; name:
