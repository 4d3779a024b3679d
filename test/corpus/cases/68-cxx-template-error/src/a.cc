#include <vector>
#include <algorithm>
struct no_less { int v; };
void f (std::vector<no_less> &v) { std::sort (v.begin (), v.end ()); }
