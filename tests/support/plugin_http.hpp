// Reading the plugin's HTTP answers in the hook tests: a response header and
// one parameter of a redirect URL's query (RelayState, SAMLRequest, ...).
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "common/url.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace vsso::testing {

/// The first header `name` (exact spelling) of `r`, or "" when absent.
inline std::string Header(const visitor_sso::sdk::HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers) {
    if (k == name) return v;
  }
  return {};
}

/// The decoded value of `key` in the query of the URL `url_text` (after its first
/// '?'), or "" when absent. A query that does not parse fails the test.
inline std::string UrlQueryValue(const std::string& url_text, const std::string& key) {
  auto params = url::ParseQuery(url_text.substr(url_text.find('?') + 1));
  EXPECT_TRUE(params) << url_text;
  if (!params) return {};
  for (const auto& [k, v] : *params) {
    if (k == key) return v;
  }
  return {};
}

}  // namespace vsso::testing
