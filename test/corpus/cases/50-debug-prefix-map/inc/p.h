struct p { int a; };
