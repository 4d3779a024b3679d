#include <cstring>
#include <string>
int t (const std::string &s) { return (int) std::strlen (s.c_str ()); }
