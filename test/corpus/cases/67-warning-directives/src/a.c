#warning "a #warning from the source"
#pragma message ("a pragma message")
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-variable"
int f (void) { int silenced; return 0; }
#pragma GCC diagnostic pop
int g (void) { int loud; return 0; }
