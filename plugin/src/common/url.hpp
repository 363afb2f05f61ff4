// Percent-encoding and query handling (RFC 3986, and the HTML form encoding
// for posted bodies), as thin wrappers over Boost.URL. Stateless, re-entrant.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace vsso::url {

using QueryParams = std::vector<std::pair<std::string, std::string>>;

/// Percent-encodes every octet except RFC 3986 unreserved characters
/// (ALPHA DIGIT - . _ ~), upper-case hex; a space becomes "%20".
/// The HTTP-Redirect binding signs these exact octets, so callers that sign
/// a query build it from this function (Bindings 3.4.4.1).
std::string EncodeQueryValue(std::string_view value);

/// `base_url` (an absolute URL or a reference such as "/sso/login") with
/// `params` appended to its query, after any parameters it already has; the
/// fragment stays last. Each key and value is encoded with EncodeQueryValue.
/// Error "common.bad_url" if `base_url` is not an RFC 3986 URI-reference.
Result<std::string> AppendQuery(std::string_view base_url, const QueryParams& params);

/// Splits an RFC 3986 query (without the leading '?') into decoded
/// (key, value) pairs in order; "+" stays a plus sign, a key without "="
/// has an empty value. Error "common.bad_query" on a bad percent escape.
Result<QueryParams> ParseQuery(std::string_view query);

/// Splits a query like ParseQuery but keeps keys and values exactly as they
/// appear (percent escapes intact), for checks over the received octets
/// (Bindings 3.4.4.1). Same order and length as ParseQuery's result.
/// Error "common.bad_query".
Result<QueryParams> SplitQuery(std::string_view query);

/// Decodes an application/x-www-form-urlencoded body (HTML 4.01 17.13.4.1):
/// as ParseQuery, but "+" means a space. Error "common.bad_query".
Result<QueryParams> ParseForm(std::string_view body);

}  // namespace vsso::url
