// Plain data types a C++ host exchanges with the plugin through sdk::Plugin.
// Each mirrors a struct of the C ABI (visitor_sso/abi.h), which is what
// actually crosses the library boundary: Chat <-> vsso_chat_host_owned,
// ChatStartResult <-> vsso_chat_start_plugin_owned, and so on.
//
// Ownership: every struct is a value type; the callee never keeps references
// to what it was given, and the caller owns what it receives.
// Growth rule: within one SDK major version fields are only appended (and the
// minor version bumped); nothing is removed or reordered.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace visitor_sso::sdk {

/// Seconds since the Unix epoch, UTC.
using UnixSeconds = std::int64_t;

/// A chat-platform field and its value(s).
struct FieldValue {
  /// Stable key: a system field ("name", "email", "company", "phone",
  /// "department", "product_service"), "prechat:<Label>" or "variable:<name>".
  std::string key;
  /// What an agent sees ("Email", "Account Number", "membership_level").
  std::string label;
  /// Display value: all values joined with ", ".
  std::string value;
  /// Every value, in the order the IdP sent them.
  std::vector<std::string> values;
};

/// A website visitor as the host knows them.
struct Visitor {
  /// Host-assigned, stable for the visitor's browser session. SSO sessions are
  /// bound to it.
  std::string id;
  std::string ip_address;
  std::string user_agent;
  /// The page the chat was opened from; used as the return URL after sign-in
  /// when the host gives no better one.
  std::string page_url;
};

/// A chat as the host knows it.
struct Chat {
  std::string id;
  Visitor visitor;
  /// Where the visitor should land after an SP-initiated sign-in
  /// (usually the chat window URL).
  std::string return_url;
  /// What a guest typed into the pre-chat survey, if anything.
  std::vector<FieldValue> prechat_answers;
  /// The website the chat belongs to (a site file's name in the plugin's
  /// platform configuration); empty means "default". SDK 2.1.
  std::string site_id;
};

/// HTTP request for one of the plugin's endpoints under /sso/.
struct HttpRequest {
  std::string method;  ///< "GET", "POST", ...
  std::string path;    ///< Path only, e.g. "/sso/acs".
  std::string query;   ///< Raw query string without '?'.
  /// Every request header as received, Cookie, Origin and Content-Type
  /// included: the plugin binds each sign-in to the browser through a cookie
  /// of its own (Path=/sso/) and refuses cross-origin writes.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  ///< Raw body (form-encoded for the ACS).
  /// The host's visitor ID for this browser, if it knows one. It must come
  /// from the host's own authenticated state (its session cookie), never from
  /// anything the request names: a sign-in is bound to this visitor.
  std::string visitor_id;
  /// The client's address as the host sees it (after its trusted proxies);
  /// identical refusals from one address are folded in the audit log.
  std::string remote_address;
};

/// Header values never contain CR, LF or NUL: the plugin checks every header
/// it produces in one place and answers 500 instead. A host must still refuse
/// to send any header value containing them (defence in depth).
struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  /// Set when a visitor has just been signed in (ACS, confirmation of an
  /// IdP-initiated sign-in, hand-off redemption), so the host can wake that
  /// visitor's chat window.
  std::string signed_in_visitor_id;
  /// The visitors whose chat sign-in this request ended (sign-out, or a
  /// logout the IdP started, which may end several), so the host can wake
  /// their chat windows. SDK 2.2.
  std::vector<std::string> signed_out_visitor_ids;
};

/// What the host learns about the plugin after configuration.
struct PluginDescription {
  std::string name;
  std::string version;
  std::uint32_t sdk_major = 0;
  std::uint32_t sdk_minor = 0;
  bool enabled = false;
  std::string sign_in_policy;           ///< "none" | "optional" | "required"
  std::uint32_t certificate_count = 0;  ///< active IdP certificates
  std::uint32_t mapping_count = 0;
  std::string sp_entity_id;
  std::string idp_entity_id;
  /// Sites the configuration defines, broken ones included (1 for a
  /// single-site file). The fields above describe the "default" site, or are
  /// empty without one. SDK 2.1.
  std::uint32_t site_count = 0;
  /// The IDs of those sites, sorted. SDK 2.1.
  std::vector<std::string> site_ids;
};

/// Input of Plugin::Configure.
struct ConfigureRequest {
  /// INI (.ini) or JSON (.json) file; relative paths inside it are relative to
  /// its directory.
  std::string config_path;
  /// If non-zero the plugin uses this instant as "now" instead of the system
  /// clock (scenario runs and "was this valid then?" checks).
  UnixSeconds fixed_now = 0;
};

// ---- Hook results ---------------------------------------------------------

enum class ChatStartDecision {
  kProceed,        ///< Start the chat now.
  kOfferSignIn,    ///< Offer "Sign in" (sign_in_url) or "Chat as guest".
  kRequireSignIn,  ///< No chat until signed in; show sign_in_url.
  kRefuse,         ///< No chat at all (fail closed); see reason_code.
};

struct ChatStartResult {
  ChatStartDecision decision = ChatStartDecision::kProceed;
  /// The visitor has a live SSO session.
  bool signed_in = false;
  std::string customer_id;
  /// URL (under /sso/login) that starts an SP-initiated login bound to this
  /// visitor; empty when no sign-in is offered.
  std::string sign_in_url;
  /// Why the decision was taken when it is not the plain policy outcome
  /// (e.g. "plugin.not_configured"); empty otherwise.
  std::string reason_code;
  std::string reason;
};

enum class PrechatDecision {
  kShow,  ///< Show the survey (optionally prefilled).
  kSkip,  ///< Do not show it; the identity provider vouched for the visitor.
};

struct PrechatResult {
  PrechatDecision decision = PrechatDecision::kShow;
  /// Values to prefill (hosts that still show some fields use them).
  std::vector<FieldValue> prefill;
};

struct InfoTab {
  std::string name;
  /// Shown next to the name.
  std::string customer_id;
  /// True only when the identity came from a verified SAML assertion.
  bool verified = false;
  std::string idp_entity_id;
  UnixSeconds signed_in_at = 0;
};

struct VisitorInfo {
  /// System and custom pre-chat fields, in configuration order.
  std::vector<FieldValue> prechat_section;
  std::vector<FieldValue> custom_variables;
  InfoTab info;
};

enum class RoutingDecision {
  kRoute,      ///< Send the chat to `team`.
  kNoOpinion,  ///< The plugin has no rule for it; the host routes as usual.
};

struct RoutingResult {
  RoutingDecision decision = RoutingDecision::kNoOpinion;
  std::string team;
  /// The rule that decided ("rule.1", "default").
  std::string rule;
  /// The rule's text, for agents and admins asking "why this team?".
  std::string rule_text;
};

struct TranscriptTags {
  /// Tags the host stores with the transcript ("customer_id", "idp",
  /// "signed_in", "team").
  std::vector<std::pair<std::string, std::string>> tags;
  std::string customer_id;
};

/// History search over transcript tags. Exactly one filter is used, in this
/// order: customer_id (exact match), team (with the time range), the time
/// range alone. Results are newest first.
struct HistoryQuery {
  std::string customer_id;
  std::string team;
  UnixSeconds from = 0;   ///< inclusive; 0: no lower bound
  UnixSeconds until = 0;  ///< exclusive; 0: no upper bound
  int limit = 20;         ///< 1..1000
  /// Empty for the first page, else the next_cursor of the previous page.
  std::string cursor;
  /// Whose History; empty means "default". SDK 2.1.
  std::string site_id;
};

struct TranscriptRecord {
  std::string transcript_id;
  std::string chat_id;
  std::string visitor_id;
  std::string customer_id;  ///< empty for guests
  std::string idp_entity_id;
  bool signed_in = false;
  std::string team;
  UnixSeconds saved_at = 0;
};

struct HistoryPage {
  std::vector<TranscriptRecord> rows;
  std::string next_cursor;  ///< empty when there is no further page
};

// ---- Admin overview --------------------------------------------------------

/// An IdP signing certificate the plugin currently trusts.
struct CertificateSummary {
  std::string subject;
  std::string issuer;
  std::string fingerprint_sha256;  ///< lower-case hex of the DER
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
  std::string source;  ///< "config" (config file or IdP metadata) | "admin"
};

/// One chat field and the IdP attributes that feed it, in preference order.
struct MappingSummary {
  std::string field;                    ///< FieldValue::key
  std::string label;                    ///< FieldValue::label
  std::vector<std::string> attributes;  ///< expanded, in preference order
  /// The value as the admin wrote it, e.g. "@email | mail". SDK 2.2.
  std::string configured;
};

/// Where a site's IdP metadata comes from when it has idp_metadata_url, and
/// how fresh it is. Times are Unix seconds; 0 means never / none. SDK 2.2.
struct IdpMetadataStatus {
  std::string source_url;           ///< empty: the site has no idp_metadata_url
  UnixSeconds last_fetch_at = 0;    ///< the last attempt, good or not
  UnixSeconds last_success_at = 0;  ///< when the metadata in force was fetched
  UnixSeconds next_refresh_at = 0;
  UnixSeconds valid_until = 0;  ///< of the metadata in force
  std::string last_error_code;  ///< of the last attempt; empty if it succeeded
  std::string last_error_message;
};

struct RoutingRuleSummary {
  std::string name;  ///< "rule.1"
  std::string text;  ///< "<condition> -> <team>"
  std::string team;
};

/// A refused sign-in, as recorded in the plugin's audit log. The message is
/// the admin-facing reason; never assertion content or key material.
struct SignInFailure {
  UnixSeconds at = 0;  ///< first occurrence
  std::string code;
  std::string message;     ///< capped at 256 bytes, control characters removed
  std::string issuer;      ///< empty when the response was not readable
  std::string visitor_id;  ///< empty when no visitor was known
  // Identical refusals (same code, same client address) are folded.
  std::uint32_t count = 1;     ///< how many times it happened
  UnixSeconds last_at = 0;     ///< most recent occurrence
  std::string remote_address;  ///< HttpRequest::remote_address; may be empty
};

struct AdminOverviewQuery {
  std::uint32_t failure_limit = 20;  ///< 1..1000 most recent failures
  /// Which site; empty means "default". SDK 2.1.
  std::string site_id;
};

/// What an admin needs to see that the set-up is right: trust, mappings,
/// rules, and why recent sign-ins failed.
struct AdminOverview {
  PluginDescription description;
  /// The plugin's "now" (pinned clock or system clock), so that "expires in N
  /// days" agrees with what the plugin will enforce.
  UnixSeconds now = 0;
  std::vector<CertificateSummary> certificates;   ///< active only
  std::vector<MappingSummary> mappings;           ///< config order
  std::vector<RoutingRuleSummary> routing_rules;  ///< evaluation order
  std::string routing_default_team;               ///< empty: none
  /// Path (served through HandleHttp) of the SP metadata to give the IdP.
  std::string sp_metadata_path;
  std::vector<SignInFailure> recent_failures;  ///< most recently seen first
  /// Problems that do not stop the plugin but that an admin should
  /// fix (a private key readable by others, an example certificate whose
  /// private key is public), each a full sentence naming file and fix.
  std::vector<std::string> warnings;
  /// SDK 2.2; source_url is empty when the site has no idp_metadata_url.
  IdpMetadataStatus idp_metadata;
};

}  // namespace visitor_sso::sdk
