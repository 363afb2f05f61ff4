#include <iostream>
#include "visitor_sso/sdk/loader.hpp"
int main(int argc, char** argv) {
  if (argc < 2) return 2;
  auto p = visitor_sso::sdk::LoadPlugin(argv[1]);
  if (!p) { std::cerr << p.error().code << ": " << p.error().message << "\n"; return 1; }
  std::cout << p->name << "\n";
  return 0;
}
