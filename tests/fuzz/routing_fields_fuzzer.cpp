// Differential fuzz target for hooks::RoutingFieldsFromJson (the routing
// fields of a session's JSON, read by a plain scan when the JSON has the
// exact shape the sign-in writes and by Boost.JSON's event parser
// otherwise).
//
// Input: the bytes of a session's fields JSON. Checks: no crash, no
// sanitizer error, and the same fields as the document reader
// (tests/support/routing_fields_reference.hpp) for the same names, whatever
// the bytes: malformed JSON, escapes, invalid UTF-8, duplicate members.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "hooks/routing_fields.hpp"
#include "support/routing_fields_reference.hpp"

namespace {

// Sorted, as RuleSet::fields() gives them.
const std::vector<std::string> kNames = {"company", "email", "name", "prechat:Account Number",
                                         "variable:membership_level"};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view json(reinterpret_cast<const char*>(data), size);
  const vsso::routing::Fields fast = vsso::hooks::RoutingFieldsFromJson(json, kNames);
  const vsso::routing::Fields reference = vsso::testing::RoutingFieldsFromDom(json, kNames);
  if (fast != reference) {
    std::fprintf(stderr,
                 "routing_fields_fuzzer: INVARIANT VIOLATED: RoutingFieldsFromJson gave %zu "
                 "fields, the document reader %zu\n--- input ---\n%.*s\n",
                 fast.size(), reference.size(), static_cast<int>(json.size()), json.data());
    std::abort();
  }
  return 0;
}
