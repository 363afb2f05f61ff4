#include <iostream>

#include "visitor_sso/sdk/loader.hpp"

int main(int argc, char** argv) {
  if (argc != 2) return 2;
  auto loaded = visitor_sso::sdk::LoadPlugin(argv[1]);
  if (!loaded) {
    std::cerr << loaded.error().code << "\n";
    return 1;
  }
  std::cout << loaded->name << " " << loaded->sdk_major << "." << loaded->sdk_minor << "\n";
  return 0;
}
