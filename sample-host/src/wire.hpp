// The small encodings a chat platform needs around the plugin's HTTP
// endpoints and the scenario format: RFC 3339 times, URL query and form
// encoding, base64, the SAML HTTP-Redirect DEFLATE encoding, strict integers,
// hook decision names, and the JSON shapes that `run` prints and `serve`'s
// /api/* sends, written once here so the two always agree
// (docs/sample-host.md).
// Pure functions: no state, any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

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

/// A whole decimal number in [min, max]: an optional '-' then digits, nothing
/// else (no spaces, no '+', no "12abc"); nullopt otherwise, never a silent 0.
std::optional<std::int64_t> ParseInt(std::string_view text, std::int64_t min, std::int64_t max);

/// The default site's ID: a host that names no site means it (SDK 2.1, an
/// empty Chat::site_id).
inline constexpr std::string_view kDefaultSite = "default";

/// Whether `id` is a site ID the plugin can have: `[a-z0-9][a-z0-9-]{0,62}`
/// (a site file's name; safe in a URL path segment without escaping).
bool IsValidSiteId(std::string_view id);

/// The plugin's endpoint of a site: "/sso/<site>/<endpoint>", or
/// "/sso/<endpoint>" for the default site (empty or "default"), which the
/// plugin also serves without a site segment.
std::string SsoPath(std::string_view site, std::string_view endpoint);

/// What an agent sees as the label of a field the visitor typed
/// (types.hpp, FieldValue): "prechat:Account Number" -> "Account Number",
/// "variable:x" -> "x", "product_service" -> "Product/Service", otherwise the
/// key with its first letter upper-cased ("company" -> "Company").
std::string PrechatFieldLabel(const std::string& key);

/// A pre-chat answer as the host hands it to the plugin: key, PrechatFieldLabel,
/// the values, and `value` = the values joined with ", ".
visitor_sso::sdk::FieldValue PrechatAnswer(const std::string& key, std::vector<std::string> values);

// ---- JSON wire shapes (shared by `run` and `serve`) -------------------------

/// A string that may be absent: JSON null when empty.
boost::json::value OptionalJson(const std::string& text);

/// RFC 3339 text, or null for 0 (never happened).
boost::json::value OptionalTimeJson(visitor_sso::sdk::UnixSeconds seconds);

/// [{key, label, value, values}] in the given order.
boost::json::array FieldsJson(const std::vector<visitor_sso::sdk::FieldValue>& fields);

/// {name, customer_id, verified, idp_entity_id, signed_in_at}; absent strings
/// and a zero signed_in_at are null.
boost::json::object InfoTabJson(const visitor_sso::sdk::InfoTab& info);

/// The ChatWillStart result: {decision, signed_in, customer_id, sign_in_url,
/// reason_code, reason}; absent strings are null.
boost::json::object ChatStartJson(const visitor_sso::sdk::ChatStartResult& started);

/// The ChatWillBeRouted result: {decision ("route" | "no_opinion"), team,
/// rule, rule_text}; absent strings are null.
boost::json::object RoutingJson(const visitor_sso::sdk::RoutingResult& routed);

/// Transcript tags as one object {key: value} (a later duplicate key wins).
boost::json::object TagsJson(const std::vector<std::pair<std::string, std::string>>& tags);

/// One History row: {transcript_id, chat_id, visitor_id, customer_id,
/// idp_entity_id, signed_in, team, saved_at}; absent strings are null,
/// saved_at is RFC 3339.
boost::json::object TranscriptRecordJson(const visitor_sso::sdk::TranscriptRecord& record);

/// A SearchHistory page: {transcripts: [TranscriptRecordJson...], next_cursor}
/// (next_cursor null on the last page).
boost::json::object HistoryPageJson(const visitor_sso::sdk::HistoryPage& page);

}  // namespace sample_host
