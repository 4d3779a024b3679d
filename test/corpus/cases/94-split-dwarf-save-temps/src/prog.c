#include <rt.h>
int f(int v){return RT(v)+1;}
int main(void){return f(2);}
