// The small encodings a chat platform needs around the plugin's HTTP
// endpoints and the scenario format: RFC 3339 times, URL query and form
// encoding, base64, the SAML HTTP-Redirect DEFLATE encoding and hook
// decision names.
// Pure functions: no state, any thread.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "visitor_sso/sdk/types.hpp"

namespace sample_host {

/// Parses "2026-11-24T12:01:00Z" or "...T13:01:00+01:00" (fractional seconds
/// allowed and ignored) into Unix seconds; nullopt when it is not RFC 3339.
std::optional<visitor_sso::sdk::UnixSeconds> ParseRfc3339(std::string_view text);

/// Formats Unix seconds as "YYYY-MM-DDTHH:MM:SSZ".
std::string FormatRfc3339(visitor_sso::sdk::UnixSeconds seconds);

/// Percent-encodes everything except RFC 3986 unreserved characters, so the
/// result is safe in a query string and in an x-www-form-urlencoded body.
std::string PercentEncode(std::string_view text);

/// Splits "a=1&b=%2F" into decoded pairs ('+' stays '+'; the plugin's
/// redirects percent-encode spaces). nullopt on a malformed escape.
std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query);

std::string Base64Encode(std::string_view bytes);
/// nullopt when `text` is not base64.
std::optional<std::string> Base64Decode(std::string_view text);

/// Undoes the HTTP-Redirect binding's encoding of a SAML message: base64, then
/// raw DEFLATE (SAML Bindings 3.4.4.1). nullopt when either step fails.
std::optional<std::string> InflateRedirectMessage(std::string_view base64);

/// The wire name of a ChatWillStart decision ("proceed", "offer_sign_in",
/// "require_sign_in", "refuse"), as `run` prints it and the web API sends it.
const char* ChatStartDecisionName(visitor_sso::sdk::ChatStartDecision decision);

}  // namespace sample_host
