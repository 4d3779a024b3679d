int symlinked_output (int x) { return x + 7; }
