int g;
int f (int v) { return v + g; }
