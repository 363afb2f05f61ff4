// Reads the admin's configuration file (INI or JSON, see
// docs/configuration.md) into typed, validated Settings.
//
// Strict on purpose: an unknown section or key, a value of the wrong type or
// a missing file is an error, because a typo such as `alow_sha1` or
// `[SSO]` must never silently fall back to a default that changes security.
// Stateless and thread-safe; reads only the files it names.
#pragma once

#include <optional>
#include <string>

#include "common/result.hpp"
#include "config/settings.hpp"

namespace vsso::config {

/// Loads `path`; the format follows the extension (".ini" or ".json").
/// Relative paths inside the file are resolved against its directory and
/// returned absolute. Every error message names the file, the key and the
/// problem. Error codes: config.unsupported_format, config.file_missing,
/// config.file_unreadable, config.parse_error, config.unknown_section,
/// config.unknown_key, config.invalid_value, config.missing_key,
/// config.key_permissions (sp_private_key writable by others; readable by
/// group/others is only a warning in Settings::warnings), config.env_unset
/// (database_password_env names a variable that is unset or empty).
/// For a platform file or a site of one, see LoadPlatform (platform.hpp).
Result<Settings> LoadSettings(const std::string& path);

/// How LoadPlatform (platform.hpp) has one site file of a platform read.
struct SiteFile {
  std::string site_id;        ///< becomes Settings::site_id
  std::string database;       ///< the platform's, resolved; becomes Settings::database
  std::string platform_path;  ///< the platform file, as named in messages
};

/// LoadSettings for a site file of a platform: the same [sso], [mapping] and
/// [routing], except that `[sso] database` and `database_password_env`
/// belong to the platform file, so a site file that sets one is refused
/// (config.site_database). Its Settings::database_password stays empty: the
/// platform's is in PlatformConfig.
Result<Settings> LoadSiteSettings(const std::string& path, const SiteFile& site);

/// Best effort, for a file LoadSettings refused: the `[sso] sign_in` the admin
/// meant, if it can be read at all. Lets the plugin fail closed only where
/// sign-in is required and let chats proceed as guests otherwise.
std::optional<SignInPolicy> ReadIntendedSignInPolicy(const std::string& path);

}  // namespace vsso::config
