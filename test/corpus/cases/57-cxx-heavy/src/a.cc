#include <algorithm>
#include <iostream>
#include <map>
#include <string>
#include <vector>
// clang 14 cannot parse libstdc++ 12's <ranges>; gcc gets it.
#ifndef __clang__
#include <ranges>
#endif

int main ()
{
  std::vector<int> v{5, 3, 9, 1};
  std::map<std::string, int> m;
#ifndef __clang__
  std::ranges::sort (v);
  for (int x : v | std::views::filter ([] (int i) { return i > 2; }))
    m[std::to_string (x)] = x * x;
#else
  std::sort (v.begin (), v.end ());
  for (int x : v)
    if (x > 2)
      m[std::to_string (x)] = x * x;
#endif
  for (auto &[k, val] : m)
    std::cout << k << '=' << val << '\n';
  return 0;
}
