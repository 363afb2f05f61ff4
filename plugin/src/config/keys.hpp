// The one table of `[sso]` keys (after nginx's ngx_command_t): name, type,
// range, default, presence, the Settings member it fills and a one-line
// description. The loader parses, defaults, range-checks, requires and
// suggests ("did you mean") from it alone, for INI and JSON alike, and
// tests/plugin/config/keys_doc_test.cpp checks docs/configuration.md
// against it. A new key is one entry here plus its member in Settings.
// The `[platform]` keys of a platform file (platform.hpp) have a table of
// their own, below, used the same way by platform.cpp.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/platform.hpp"
#include "config/settings.hpp"

namespace vsso::config {

enum class KeyType {
  kBool,     ///< exactly true or false
  kInteger,  ///< decimal, from min to max inclusive
  kChoice,   ///< one of `choices` ("none|optional|required")
  kText,     ///< any text
  /// a SAML entity ID: 1..1024 characters, no white space or control
  /// characters (common/entity_id.hpp; SAML Metadata 2.9 anyURI)
  kEntityId,
  kHttpUrl,  ///< absolute http(s) URL with a host
  /// https URL with a host; http only to a loopback host (127.0.0.0/8, ::1,
  /// localhost), where no network sees the document
  kMetadataUrl,
  kFile,      ///< path of a file that must exist and be readable
  kFileList,  ///< paths of such files (space separated, or a JSON array)
  /// Where the store lives: a PostgreSQL URI (postgresql://..., no password
  /// in it), or else the path of an SQLite file created if absent, whose
  /// directory must exist.
  kDatabase,
  kDirectory,  ///< path of a directory that must exist ([platform] only)
  kEnvName,    ///< name of an environment variable, [A-Za-z_][A-Za-z0-9_]*
};

enum class Presence {
  kOptional,
  kRequired,
  kRequiredWithoutMetadata,  ///< required unless idp_metadata or idp_metadata_url is set
};

/// The Settings field a key fills; its alternative must fit the KeyType
/// (checked at compile time in keys.cpp).
using SettingsMember =
    std::variant<bool Settings::*, std::int64_t Settings::*, SignInPolicy Settings::*,
                 std::string Settings::*, std::vector<std::string> Settings::*>;

struct KeySpec {
  std::string_view name;
  KeyType type;
  std::int64_t min = 0;  ///< kInteger only
  std::int64_t max = 0;  ///< kInteger only
  /// In config spelling, parsed like a value from the file. Empty: unset
  /// (and for a kDatabase, an empty value also means this default).
  std::string_view default_value{};
  Presence presence = Presence::kOptional;
  SettingsMember member;
  std::string_view choices{};    ///< kChoice only, '|' separated
  std::string_view description;  ///< one line; the docs' "meaning" starts with it
};

/// Every `[sso]` key, in documentation order.
std::span<const KeySpec> SsoKeys();

/// The entry for `name` (exact, lower-case), or nullptr.
const KeySpec* FindSsoKey(std::string_view name);

/// The type as docs/configuration.md writes it: "bool", "integer 0..3600",
/// "`none` \| `optional` \| `required`", "entity ID", "http(s) URL", "text",
/// "file", "list of files", "file or URI", "variable name".
std::string TypeLabel(const KeySpec& key);

/// One `[platform]` key, filling a PlatformConfig member. Paths are resolved
/// against the platform file's directory.
struct PlatformKeySpec {
  std::string_view name;
  KeyType type;  ///< kDatabase, kDirectory or kEnvName
  /// As for KeySpec; for a kDatabase an empty value also means this default.
  std::string_view default_value{};
  Presence presence = Presence::kOptional;  ///< kOptional or kRequired
  std::string PlatformConfig::*member = nullptr;
  std::string_view description;
};

/// Every `[platform]` key, in documentation order.
std::span<const PlatformKeySpec> PlatformKeys();

/// The entry for `name` (exact, lower-case), or nullptr.
const PlatformKeySpec* FindPlatformKey(std::string_view name);

/// As docs/configuration.md writes it: "file or URI", "directory", "variable name".
std::string TypeLabel(const PlatformKeySpec& key);

}  // namespace vsso::config
