// What the site-file loader (loader.cpp) and the platform loader
// (platform.cpp) share: reading a configuration file into a property tree
// (INI or JSON by extension) and the small text helpers their messages use.
// Internal to the config part.
#pragma once

#include <cstddef>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <boost/property_tree/ptree.hpp>

#include "common/result.hpp"

namespace vsso::config::detail {

enum class Format { kIni, kJson };

/// By extension, case-insensitive: ".ini" or ".json"; else
/// config.unsupported_format naming the file.
Result<Format> FormatOf(const std::string& path);

/// The whole file, without a leading UTF-8 byte order mark. Codes:
/// config.file_missing, config.file_unreadable.
Result<std::string> ReadWholeFile(const std::string& path);

/// `text` (read from `path`) as a tree of the same shape for INI and JSON.
/// Code config.parse_error with the line number.
Result<boost::property_tree::ptree> ParseTree(const std::string& path, const std::string& text,
                                              Format format);

/// A configuration file read and parsed: FormatOf, ReadWholeFile and
/// ParseTree in that order (their codes), and its absolute path.
struct ConfigFile {
  Format format;
  std::string text;
  boost::property_tree::ptree root;
  std::filesystem::path absolute;  ///< lexically normal
};
Result<ConfigFile> ReadConfigFile(const std::string& path);

/// A JSON array arrives from read_json as children with empty keys.
bool IsList(const boost::property_tree::ptree& node);

std::string Trim(std::string_view s);
std::string Lower(std::string_view s);

/// Received values are echoed so the admin sees what was read, but cut short
/// so a pasted certificate never floods a log line.
std::string Quote(std::string_view value);

/// The closest of `known` when `name` is plausibly a typo of it, else empty.
std::string ClosestName(std::string_view name, std::span<const std::string_view> known);

/// A `database` value that selects PostgreSQL: a libpq connection URI,
/// "postgresql://..." or "postgres://..." (libpq's own two prefixes, exact
/// case). Anything else is an SQLite file path.
bool IsPostgresUri(std::string_view value);

/// Why `value` cannot be a `database` value, or nullopt. Only URI-like
/// values are judged (paths are checked by the loaders): a PostgreSQL URI
/// holding a password (`user:secret@`, or a `password` query parameter, as
/// libpq's URI parser would find it), another scheme (`mysql://`), or a
/// libpq `keyword=value` string (which would otherwise become a file name).
/// The problem never repeats the value, which may hold a secret.
std::optional<std::string> DatabaseValueProblem(std::string_view value);

/// A POSIX environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool IsEnvName(std::string_view name);

/// The value of the environment variable `name`, or config.env_unset when it
/// is unset or empty. `where` prefixes the message ("f.ini: [platform]
/// database_password_env"), which names the variable, never a value.
Result<std::string> ReadPasswordEnv(const std::string& where, const std::string& name);

/// PropertyTree's INI reader only knows whole-line comments and keeps
/// "optional ; note" as the value: the "; note" part, if `value` has one.
std::optional<std::string> TrailingComment(std::string_view value);

}  // namespace vsso::config::detail
