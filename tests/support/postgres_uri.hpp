// libpq connection URIs for tests and benchmarks that make a throwaway
// database of their own on the server they were given.
#pragma once

#include <string>

namespace vsso::testing {

/// `uri` naming database `name` instead of its own (query parameters kept).
inline std::string WithDatabase(const std::string& uri, const std::string& name) {
  const auto authority = uri.find("://") + 3;
  const auto path = uri.find_first_of("/?", authority);
  if (path == std::string::npos) return uri + "/" + name;
  if (uri[path] == '?') return uri.substr(0, path) + "/" + name + uri.substr(path);
  const auto query = uri.find('?', path);
  return uri.substr(0, path) + "/" + name + (query == std::string::npos ? "" : uri.substr(query));
}

}  // namespace vsso::testing
