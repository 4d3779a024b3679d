#include <s.h>
#include <a.h>
#include <string>
#include <stdio.h>
int t (const std::string &s) { return (int) s.size () + EOF + s_h () + a_h (); }
