#include "config/reader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <vector>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/json_parser.hpp>

namespace vsso::config::detail {
namespace {

namespace fs = std::filesystem;

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Optimal string alignment distance: a swap of two neighbours ("emial")
// counts as one typo, like an insertion or deletion.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

Result<Format> FormatOf(const std::string& path) {
  const std::string extension = Lower(fs::path(path).extension().string());
  if (extension == ".ini") return Format::kIni;
  if (extension == ".json") return Format::kJson;
  return MakeError("config.unsupported_format", path + ": unsupported file extension " +
                                                    Quote(extension) + "; expected .ini or .json");
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    return MakeError("config.file_missing", path + ": configuration file not found");
  }
  if (!fs::is_regular_file(status)) {
    return MakeError("config.file_unreadable", path + ": not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError("config.file_unreadable",
                     path + ": cannot be opened for reading (" + std::strerror(errno) + ")");
  }
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return MakeError("config.file_unreadable", path + ": read error");
  // Editors on Windows like to start files with a UTF-8 byte order mark.
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  return text;
}

Result<ConfigFile> ReadConfigFile(const std::string& path) {
  auto format = FormatOf(path);
  if (!format) return format.error();
  auto text = ReadWholeFile(path);
  if (!text) return text.error();
  auto root = ParseTree(path, *text, *format);
  if (!root) return root.error();
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec).lexically_normal();
  if (ec) {
    return MakeError("config.file_unreadable", path + ": cannot resolve path: " + ec.message());
  }
  return ConfigFile{*format, std::move(*text), std::move(*root), std::move(absolute)};
}

Result<boost::property_tree::ptree> ParseTree(const std::string& path, const std::string& text,
                                              Format format) {
  boost::property_tree::ptree root;
  try {
    std::istringstream in(text);
    if (format == Format::kIni) {
      boost::property_tree::read_ini(in, root);
    } else {
      boost::property_tree::read_json(in, root);
    }
  } catch (const boost::property_tree::file_parser_error& e) {
    return MakeError("config.parse_error",
                     path + ":" + std::to_string(e.line()) + ": syntax error: " + e.message());
  }
  return root;
}

bool IsList(const boost::property_tree::ptree& node) {
  return !node.empty() && node.front().first.empty();
}

std::string Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsPostgresUri(std::string_view value) {
  return value.starts_with("postgresql://") || value.starts_with("postgres://");
}

namespace {

// libpq's URI parser percent-decodes parameter keywords too (%70assword is
// password), so they are compared decoded. Malformed escapes stay as they
// are; libpq refuses them when it connects.
std::string PercentDecoded(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Walks the URI as libpq's conninfo_uri_parse_options does (PostgreSQL 15,
// libpq "Connection URIs"): the credentials end at the first '@' met before
// any '/', and a ':' in them starts a password; parameters follow the first
// '?' after that.
bool UriHoldsPassword(std::string_view uri) {
  std::string_view rest = uri.substr(uri.find("://") + 3);
  const std::size_t stop = rest.find_first_of("@/");
  if (stop != std::string_view::npos && rest[stop] == '@') {
    if (rest.substr(0, stop).find(':') != std::string_view::npos) return true;
    rest.remove_prefix(stop + 1);
  }
  const std::size_t query = rest.find('?');
  if (query == std::string_view::npos) return false;
  std::string_view params = rest.substr(query + 1);
  while (!params.empty()) {
    const std::size_t amp = params.find('&');
    const std::string_view param = params.substr(0, amp);
    if (PercentDecoded(param.substr(0, param.find('='))) == "password") return true;
    params = amp == std::string_view::npos ? std::string_view() : params.substr(amp + 1);
  }
  return false;
}

// libpq's keyword=value form; a value such as "host=db dbname=vsso" must not
// quietly become an SQLite file of that name.
bool LooksLikeKeywordValue(std::string_view value) {
  static constexpr std::string_view kKeywords[] = {
      "host", "hostaddr", "port", "dbname", "user", "password", "passfile", "service", "sslmode"};
  const std::size_t eq = value.find('=');
  if (eq == std::string_view::npos) return false;
  const std::string key = Trim(value.substr(0, eq));
  return std::find(std::begin(kKeywords), std::end(kKeywords), key) != std::end(kKeywords);
}

}  // namespace

std::optional<std::string> DatabaseValueProblem(std::string_view value) {
  constexpr std::string_view kFix =
      "put the password in a PGPASSFILE (a ~/.pgpass line, mode 0600) or in an environment "
      "variable named by database_password_env, and remove it from the URI";
  if (IsPostgresUri(value)) {
    if (UriHoldsPassword(value)) {
      return "the PostgreSQL URI contains a password, which a configuration file must not hold; " +
             std::string(kFix);
    }
    return std::nullopt;
  }
  const std::size_t scheme_end = value.find("://");
  if (scheme_end != std::string_view::npos && scheme_end > 0 &&
      std::isalpha(static_cast<unsigned char>(value.front())) &&
      std::all_of(
          value.begin(), value.begin() + static_cast<std::ptrdiff_t>(scheme_end), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
          })) {
    return "the URI scheme " + Quote(value.substr(0, scheme_end)) +
           " is not supported; expected an SQLite file path or a PostgreSQL URI "
           "postgresql://user@host:port/database (libpq's prefixes postgresql:// or postgres://, "
           "in lower case)";
  }
  if (LooksLikeKeywordValue(value)) {
    return "a libpq keyword=value connection string is not accepted; write it as a URI "
           "postgresql://user@host:port/database, without a password";
  }
  return std::nullopt;
}

bool IsEnvName(std::string_view name) {
  if (name.empty() || std::isdigit(static_cast<unsigned char>(name.front()))) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

Result<std::string> ReadPasswordEnv(const std::string& where, const std::string& name) {
  // Read once, at load: the value lives on only in the loaded settings.
  const char* value = std::getenv(name.c_str());
  if (value == nullptr || *value == '\0') {
    return MakeError("config.env_unset",
                     where + ": the environment variable " + name + " is " +
                         (value == nullptr ? "not set" : "empty") +
                         "; set it to the database password in the plugin's environment before "
                         "the host starts, or use a PGPASSFILE and remove this key");
  }
  return std::string(value);
}

std::string Quote(std::string_view value) {
  constexpr std::size_t kMax = 120;
  if (value.size() > kMax) return "'" + std::string(value.substr(0, kMax)) + "...'";
  return "'" + std::string(value) + "'";
}

std::string ClosestName(std::string_view name, std::span<const std::string_view> known) {
  const std::string lowered = Lower(name);
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (std::string_view candidate : known) {
    const std::size_t d = EditDistance(lowered, candidate);
    const std::size_t limit = std::max<std::size_t>(1, std::min(name.size(), candidate.size()) / 3);
    if (d <= limit && d < best_distance) {
      best = std::string(candidate);
      best_distance = d;
    }
  }
  return best;
}

std::optional<std::string> TrailingComment(std::string_view value) {
  for (std::size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == ';' || value[i] == '#') && IsSpace(value[i - 1])) {
      return Trim(value.substr(i));
    }
  }
  return std::nullopt;
}

}  // namespace vsso::config::detail
