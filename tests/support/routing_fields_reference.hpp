// The reference for hooks::RoutingFieldsFromJson: the session's fields JSON
// read as a Boost.JSON document, as ChatWillStart and ChatWillBeRouted did
// before the scan and the event parser. Both the unit test and the
// differential fuzz target (tests/fuzz/routing_fields_fuzzer.cpp) hold the
// fast reader to it, on every input.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "routing/rules.hpp"

namespace vsso::testing {

inline routing::Fields RoutingFieldsFromDom(std::string_view json,
                                            const std::vector<std::string>& names) {
  routing::Fields fields;
  boost::system::error_code ec;
  const auto value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) return fields;
  for (const auto& item : value.get_array()) {
    const auto* obj = item.if_object();
    if (obj == nullptr) continue;
    const auto* key = obj->if_contains("key");
    if (key == nullptr || !key->is_string()) continue;
    const std::string_view name = key->get_string();
    if (!std::binary_search(names.begin(), names.end(), name)) continue;
    std::vector<std::string> values;
    if (const auto* vs = obj->if_contains("values"); vs != nullptr && vs->is_array()) {
      for (const auto& v : vs->get_array()) {
        if (v.is_string()) values.emplace_back(v.get_string());
      }
    }
    if (!values.empty()) fields[std::string(name)] = std::move(values);
  }
  return fields;
}

}  // namespace vsso::testing
