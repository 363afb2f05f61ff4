// The platform file and its directory of site files (docs/configuration.md,
// "Many websites"):
//
//   [platform]
//   database = visitor-sso.db   ; shared by every site, relative to this file
//   sites = sites               ; each *.ini / *.json in it is one site
//
// A file with [sso] and no [platform] (the single-site form) is one site
// whose ID is "default", exactly as before platforms existed.
//
// A broken site file is that site's error only: the platform still loads and
// every other site is served. Only a platform file that cannot be used at all
// (unreadable, both [platform] and [sso], no sites directory) fails the load.
//
// Stateless and thread-safe; reads only the files it names.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "config/settings.hpp"

namespace vsso::config {

/// The site of a single-site file, and the site whose endpoints are also
/// served without a site segment (/sso/login, /sso/acs, /sso/metadata).
inline constexpr std::string_view kDefaultSiteId = "default";

/// `[a-z0-9][a-z0-9-]{0,62}`: safe in a URL path segment, a file name and a
/// log line without escaping.
bool IsValidSiteId(std::string_view id);

/// One site file and what became of it.
struct SiteConfig {
  std::string id;    ///< file stem (for a bad file name, the stem as found)
  std::string path;  ///< the site file, absolute
  /// The settings, with `site_id` = id and `database` = the platform's; or
  /// the first problem, naming the file, the key and the fix.
  Result<Settings> settings = MakeError("config.not_loaded", "not loaded");
  /// For a refused file: the `[sso] sign_in` it asks for, if readable, so
  /// that only `required` sites refuse chats (optional/none go on as guests).
  std::optional<SignInPolicy> intended_policy;
  /// Not fatal, one sentence each (e.g. an acs_url whose path is not the
  /// site's endpoint). Loaded settings also carry these in their `warnings`.
  std::vector<std::string> warnings;
};

struct PlatformConfig {
  std::string source_path;  ///< the file given, absolute
  /// True for the single-site form (one site, "default", from `source_path`).
  bool single_site = false;
  /// Shared by every site: a resolved SQLite path or a PostgreSQL URI
  /// without a password. Single-site form: the file's `[sso] database`,
  /// empty when that file was refused.
  std::string database;
  /// `database_password_env` as written (single-site form: the file's
  /// `[sso]` one); empty: none.
  std::string database_password_env;
  /// The PostgreSQL password read from that variable at load, for
  /// store::Database::Open; empty: none (libpq uses PGPASSFILE). A secret:
  /// never print or log it.
  std::string database_password;
  std::string sites_dir;  ///< absolute; empty for the single-site form
  /// Sorted by id, ids unique: two files for one id are one entry, refused
  /// with config.duplicate_site naming all of them.
  std::vector<SiteConfig> sites;
  /// Platform-level findings that do not stop it (e.g. a file in the sites
  /// directory that is neither .ini nor .json is not one; none today).
  std::vector<std::string> warnings;

  /// The site with this id, or nullptr.
  const SiteConfig* Find(std::string_view id) const;
};

/// Loads a platform file or a single-site file (format by extension).
///
/// Cross-site rules, each an error on the sites it concerns that names both
/// files: two files for one ID (`a.ini` and `a.json`); two sites with the
/// same `sp_entity_id` or `acs_url` (a response for one could be replayed to
/// the other). When `previous` is given (a reload), a site whose settings
/// equal its previous settings is not blamed for such a conflict with a new
/// or changed site: only the newcomer is refused.
///
/// Error codes of the whole load: config.file_missing, config.file_unreadable,
/// config.parse_error, config.unsupported_format, config.unknown_section,
/// config.unknown_key, config.invalid_value, config.missing_key,
/// config.platform_and_site (a file with both [platform] and [sso]),
/// config.env_unset ([platform] database_password_env names a variable that
/// is unset or empty).
/// A site's own error codes: those of LoadSettings, plus
/// config.invalid_site_id, config.duplicate_site, config.site_conflict,
/// config.site_database (a site file naming a database).
Result<PlatformConfig> LoadPlatform(const std::string& path,
                                    const PlatformConfig* previous = nullptr);

/// Where the site's ACS is served: "/sso/<id>/acs", or "/sso/acs" for the
/// default site (which also answers at "/sso/default/acs"). Used for the
/// "acs_url path is not this site's endpoint" warning.
std::string SiteEndpointPath(std::string_view site_id, std::string_view endpoint);

}  // namespace vsso::config
