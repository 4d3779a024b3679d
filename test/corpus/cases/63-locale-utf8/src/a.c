int f (void) { int unused_quoted; return 0; }
