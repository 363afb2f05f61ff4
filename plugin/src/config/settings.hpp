// Typed settings read from the admin's INI or JSON file (see
// docs/configuration.md). Paths are already resolved against the config
// file's directory.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace vsso::config {

enum class SignInPolicy { kNone, kOptional, kRequired };

/// "none", "optional" or "required" (the config spelling).
const char* ToString(SignInPolicy policy);
/// Inverse of ToString; exact, lower-case. Error code config.invalid_value.
Result<SignInPolicy> ParseSignInPolicy(std::string_view text);

/// One `[mapping]` line: chat field <- first present IdP attribute.
struct Mapping {
  /// Config key as written: "name", "prechat:Account Number",
  /// "variable:membership_level".
  std::string field;
  /// IdP attribute names (Name or FriendlyName), in preference order, with
  /// `@alias`es expanded (config/attribute_aliases.hpp).
  std::vector<std::string> attributes;
  /// The value as the admin wrote it ("@email | mail"; a JSON list joined
  /// with " | "), for the admin overview.
  std::string configured = {};

  bool operator==(const Mapping&) const = default;
};

/// One `[routing]` rule, as text; parsed and checked by the routing module.
struct RoutingRule {
  std::string name;  ///< "rule.1"
  int order = 0;     ///< 1
  std::string text;  ///< "variable:membership_level == gold -> Gold Team"

  bool operator==(const RoutingRule&) const = default;
};

struct Settings {
  std::string source_path;  ///< The config file these settings came from.
  /// The site these settings configure: its file name without the extension
  /// under a platform file, "default" for a single-site file (platform.hpp).
  std::string site_id = "default";

  // [sso]: the keys, types, ranges and defaults are in config/keys.cpp, whose
  // table LoadSettings applies; a default-constructed Settings is all zero.
  bool enabled{};
  SignInPolicy sign_in{};
  std::string sp_entity_id;
  std::string acs_url;
  std::string idp_entity_id;
  std::string idp_sign_in_url;
  /// IdP SingleLogoutService (HTTP-Redirect) Location: `idp_logout_url`,
  /// else the metadata's; empty: sign-out ends the chat session only.
  std::string idp_logout_url;
  /// Where LogoutResponses go: the metadata's ResponseLocation, else
  /// idp_logout_url (SAML Metadata 2.2.2). Not a key: filled with it.
  std::string idp_logout_response_url;
  std::vector<std::string> idp_certificates;  ///< PEM file paths
  std::string idp_metadata;                   ///< path, empty if unset
  /// IdP metadata fetched from this URL (https, or http to a loopback
  /// host); empty if unset. Exclusive with idp_metadata.
  std::string idp_metadata_url;
  /// PEM file; set: the fetched document's own signature must verify with it.
  std::string idp_metadata_signing_certificate;
  std::int64_t idp_metadata_refresh_seconds{};
  std::string sp_private_key;  ///< path, empty if unset
  std::string sp_certificate;  ///< path, empty if unset
  std::int64_t clock_skew_seconds{};
  bool allow_idp_initiated{};
  std::int64_t session_lifetime_seconds{};
  std::string customer_id_attribute;  ///< empty: NameID
  /// An SQLite file path, or a PostgreSQL URI (postgresql:// or
  /// postgres://, never holding a password; config::detail::IsPostgresUri).
  std::string database;
  /// Name of the environment variable that held the PostgreSQL password;
  /// empty: none (libpq then looks in PGPASSFILE / ~/.pgpass).
  std::string database_password_env;
  /// That variable's value, read once at load. A secret: never print or log
  /// it (no message of the loader contains it).
  std::string database_password;
  bool allow_sha1{};
  bool sign_authn_requests{};
  std::int64_t max_response_bytes{};
  /// Audit events older than this many days are deleted; 0 keeps them all.
  std::int64_t audit_retention_days{};
  /// Unanswered sign-ins this site keeps at once; /sso/login refuses beyond
  /// (unauthenticated requests must not grow the store without bound).
  std::int64_t max_pending_sign_ins{};

  // [mapping], in file order
  std::vector<Mapping> mappings;

  // [routing]
  std::vector<RoutingRule> routing_rules;  ///< sorted by order
  std::string routing_default;             ///< empty: no default team

  /// Problems found while loading that do not stop it, each a sentence
  /// naming file, key and fix (e.g. sp_private_key readable by others).
  std::vector<std::string> warnings;

  bool operator==(const Settings&) const = default;
};

}  // namespace vsso::config
