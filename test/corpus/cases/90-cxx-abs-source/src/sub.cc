namespace { struct A { int x; }; }
struct B { A a; };
B b;
