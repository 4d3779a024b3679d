int v = PRE + PRE2;
