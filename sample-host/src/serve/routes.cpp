#include "serve/routes.hpp"

namespace sample_host::serve {

std::string Call::FormValue(std::string_view name) const {
  for (const auto& [key, value] : form) {
    if (key == name) return value;
  }
  return {};
}

RouteTable::Match RouteTable::Find(http::verb method, std::string_view path,
                                   bool site_prefixed) const {
  Match match;
  for (const Route& route : routes_) {
    if (route.path != path || (site_prefixed && route.scope != Scope::kSite)) continue;
    if (route.method == method) {
      match.route = &route;
      return match;
    }
    match.path_known = true;
    if (!match.allow.empty()) match.allow += ", ";
    match.allow += std::string(http::to_string(route.method));
  }
  return match;
}

}  // namespace sample_host::serve
