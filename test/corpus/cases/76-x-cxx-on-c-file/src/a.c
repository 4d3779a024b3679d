namespace n { int overloaded (int x) { return x; } int overloaded (double x) { return (int) x; } }
