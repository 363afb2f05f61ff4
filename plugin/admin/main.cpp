#include <iostream>
int main() { std::cerr << "visitor-sso-admin: not built yet\n"; return 2; }
