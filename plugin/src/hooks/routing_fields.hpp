// The routing fields of a signed-in visitor, read from their session's
// fields JSON (as SessionOf writes it: [{"key":..., "values":[...]}, ...]).
//
// Runs for every chat start of a signed-in visitor and for every routing of
// a chat started on another node (issue 15: chat start at most 20 us, routing
// with 100 rules at most 5 us), so it is never built as a DOM: the exact
// shape SessionOf writes (no whitespace, no escapes, well-formed UTF-8) is
// read by a plain scan; anything else by Boost.JSON's event parser
// (basic_parser), the same parser, options and errors as the DOM's, without
// an allocation per node.
//
// The result is what reading the DOM gives (tests/plugin/hooks/
// routing_fields_test.cpp compares both): any parse error (or trailing
// data) or a document that is not an array gives no fields; items that are
// not objects, or whose "key" is not a string or not one of `names`, are
// skipped; "values" keeps its direct string elements; an item without any
// leaves an earlier item of the same key in place, else the last item of a
// key wins; of an object's duplicate members the last wins (as
// boost::json::object does).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "routing/rules.hpp"

namespace vsso::hooks {

/// `names`: sorted (RuleSet::fields()); only these keys are kept.
routing::Fields RoutingFieldsFromJson(std::string_view json, const std::vector<std::string>& names);

}  // namespace vsso::hooks
