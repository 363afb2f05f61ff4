#include "config/platform.hpp"

#include <algorithm>
#include <array>
#include <exception>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/property_tree/ptree.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url.hpp>

#include "config/keys.hpp"
#include "config/loader.hpp"
#include "config/reader.hpp"

namespace vsso::config {
namespace {

namespace fs = std::filesystem;
using boost::property_tree::ptree;
using detail::Format;
using detail::Quote;

constexpr const char* kFileMissing = "config.file_missing";
constexpr const char* kFileUnreadable = "config.file_unreadable";
constexpr const char* kUnknownSection = "config.unknown_section";
constexpr const char* kUnknownKey = "config.unknown_key";
constexpr const char* kInvalidValue = "config.invalid_value";
constexpr const char* kMissingKey = "config.missing_key";
constexpr const char* kPlatformAndSite = "config.platform_and_site";
constexpr const char* kInvalidSiteId = "config.invalid_site_id";
constexpr const char* kDuplicateSite = "config.duplicate_site";
constexpr const char* kSiteConflict = "config.site_conflict";

constexpr std::string_view kPlatform = "platform";
constexpr std::string_view kSiteIdRule = "[a-z0-9][a-z0-9-]{0,62}";

// Sections and keys as the admin wrote them: "[platform] sites" in INI,
// "platform.sites" in JSON (as loader.cpp names them).
std::string SectionLabel(Format format, std::string_view section) {
  return format == Format::kIni ? "[" + std::string(section) + "]" : std::string(section);
}

std::string Where(Format format, std::string_view section, std::string_view key) {
  return format == Format::kIni ? SectionLabel(format, section) + " " + std::string(key)
                                : std::string(section) + "." + std::string(key);
}

// read_ini drops a section without keys, so an empty [platform] would make
// a platform file look like a single-site file missing all its keys.
bool DeclaresSection(Format format, const ptree& root, const std::string& text,
                     std::string_view section) {
  if (root.count(std::string(section)) > 0) return true;
  if (format != Format::kIni) return false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = detail::Trim(std::string_view(text).substr(start, end - start));
    if (line.size() >= 2 && line.front() == '[' && line.back() == ']' &&
        detail::Trim(std::string_view(line).substr(1, line.size() - 2)) == section) {
      return true;
    }
    start = end + 1;
  }
  return false;
}

// A site file's extension was accepted when it was found.
Format FormatOfSite(const std::string& path) {
  auto format = detail::FormatOf(path);
  return format ? *format : Format::kIni;
}

// The [platform] section: its keys come from the table in keys.cpp.
class PlatformReader {
 public:
  PlatformReader(std::string display, Format format, fs::path base_dir)
      : display_(std::move(display)), format_(format), base_dir_(std::move(base_dir)) {}

  // Fills out.database and out.sites_dir; `raw` gets each key's value as
  // written (for naming site files the way the admin named the directory).
  Status Run(const ptree& root, PlatformConfig& out, std::map<std::string, std::string>& raw) {
    bool seen = false;
    for (const auto& [name, node] : root) {
      if (format_ == Format::kIni && node.empty() && !node.data().empty()) {
        return MakeError(kUnknownKey, display_ + ": " + name +
                                          ": key outside any section; put it under " +
                                          SectionLabel(format_, kPlatform));
      }
      if (name != kPlatform) return UnknownSection(name);
      if (seen) {
        return MakeError(kInvalidValue, display_ + ": " + name + ": section appears twice");
      }
      seen = true;
      if (!node.data().empty() || detail::IsList(node)) {
        return MakeError(kInvalidValue, display_ + ": " + name + ": expected an object");
      }
      for (const auto& [key, value] : node) {
        if (auto status = ReadKey(key, value, raw); !status) return status;
      }
    }
    for (const PlatformKeySpec& key : PlatformKeys()) {
      if (auto status = Apply(key, raw, out); !status) return status;
    }
    return ReadDatabasePassword(out);
  }

 private:
  Error Fail(const char* code, std::string_view key, std::string_view problem) const {
    return MakeError(
        code, display_ + ": " + Where(format_, kPlatform, key) + ": " + std::string(problem));
  }

  Error UnknownSection(const std::string& name) const {
    std::string message =
        display_ + ": " + SectionLabel(format_, name) + ": unknown section in a platform file";
    if (name == "mapping" || name == "routing") {
      return MakeError(kUnknownSection, message + "; " + SectionLabel(format_, name) +
                                            " belongs in each site's file in the sites directory");
    }
    const std::array<std::string_view, 1> known = {kPlatform};
    if (!detail::ClosestName(name, known).empty()) {
      return MakeError(kUnknownSection,
                       message + " (did you mean " + SectionLabel(format_, kPlatform) + "?)");
    }
    return MakeError(kUnknownSection,
                     message + "; it has only " + SectionLabel(format_, kPlatform));
  }

  Status ReadKey(const std::string& key, const ptree& node,
                 std::map<std::string, std::string>& raw) const {
    if (FindPlatformKey(key) == nullptr) {
      std::vector<std::string_view> names;
      for (const PlatformKeySpec& spec : PlatformKeys()) names.push_back(spec.name);
      std::string problem = "unknown key";
      if (const std::string near = detail::ClosestName(key, names); !near.empty()) {
        problem += " (did you mean " + near + "?)";
      }
      return Fail(kUnknownKey, key, problem);
    }
    // read_ini already rejects duplicate keys; read_json keeps both.
    if (raw.contains(key)) return Fail(kInvalidValue, key, "key appears twice");
    if (!node.empty()) return Fail(kInvalidValue, key, "expected a single value");
    if (format_ == Format::kIni) {
      if (auto comment = detail::TrailingComment(node.data())) {
        return Fail(kInvalidValue, key,
                    "value " + Quote(node.data()) + " contains a trailing comment " +
                        Quote(*comment) + "; comments must stand on their own line");
      }
    }
    raw[key] = detail::Trim(node.data());
    return Ok();
  }

  Status Apply(const PlatformKeySpec& key, std::map<std::string, std::string>& raw,
               PlatformConfig& out) const {
    std::string& value = raw[std::string(key.name)];
    // Empty means the default, as if the key were left out.
    if (value.empty()) value = std::string(key.default_value);
    if (value.empty()) {
      if (key.presence == Presence::kRequired) {
        return Fail(kMissingKey, key.name,
                    "required key is missing or empty; set it to the directory of the site "
                    "files, e.g. " +
                        std::string(key.name) + " = sites");
      }
      return Ok();
    }
    if (key.type == KeyType::kEnvName) {
      if (!detail::IsEnvName(value)) {
        return Fail(kInvalidValue, key.name,
                    "expected the name of an environment variable (letters, digits and _, not "
                    "starting with a digit) that holds the password, not the password itself; "
                    "the value is not shown here in case it is one");
      }
      out.*key.member = value;
      return Ok();
    }
    if (key.type == KeyType::kDatabase) {
      if (auto problem = detail::DatabaseValueProblem(value)) {
        return Fail(kInvalidValue, key.name, *problem);
      }
      // A URI is libpq's to read: not a path, nothing to check on disk.
      if (detail::IsPostgresUri(value)) {
        out.*key.member = value;
        return Ok();
      }
    }
    fs::path path(value);
    if (path.is_relative()) path = base_dir_ / path;
    const std::string resolved = path.lexically_normal().string();
    std::error_code ec;
    if (key.type == KeyType::kDatabase) {
      // SQLite creates the file itself but not its directory.
      const fs::path directory = fs::path(resolved).parent_path();
      if (!fs::is_directory(directory, ec)) {
        return Fail(kFileMissing, key.name, "directory not found: " + directory.string());
      }
    } else {
      const fs::file_status status = fs::status(resolved, ec);
      if (!fs::exists(status)) {
        return Fail(kFileMissing, key.name, "directory not found: " + resolved);
      }
      if (!fs::is_directory(status)) {
        return Fail(kFileMissing, key.name, "not a directory: " + resolved);
      }
    }
    out.*key.member = resolved;
    return Ok();
  }

  // After every key, so the variable is only read for a usable platform.
  Status ReadDatabasePassword(PlatformConfig& out) const {
    constexpr std::string_view kKey = "database_password_env";
    if (out.database_password_env.empty()) return Ok();
    if (!detail::IsPostgresUri(out.database)) {
      return Fail(kInvalidValue, kKey,
                  "only a PostgreSQL database takes a password, and database is an SQLite "
                  "file; remove this key or set database to a postgresql:// URI");
    }
    auto password = detail::ReadPasswordEnv(display_ + ": " + Where(format_, kPlatform, kKey),
                                            out.database_password_env);
    if (!password) return password.error();
    out.database_password = std::move(*password);
    return Ok();
  }

  std::string display_;
  Format format_;
  fs::path base_dir_;
};

// A site's acs_url may pass through a proxy that rewrites it, so a path
// other than the site's own endpoint is only a warning.
std::optional<std::string> AcsPathWarning(const std::string& display, const Settings& settings,
                                          std::string_view site_id) {
  auto url = boost::urls::parse_absolute_uri(settings.acs_url);
  if (!url) return std::nullopt;  // the loader checked it already
  std::string path = url->path();
  if (path.empty()) path = "/";
  const std::string expected = SiteEndpointPath(site_id, "acs");
  if (path == expected) return std::nullopt;
  if (site_id == kDefaultSiteId && path == "/sso/" + std::string(kDefaultSiteId) + "/acs") {
    return std::nullopt;
  }
  return display + ": " + Where(FormatOfSite(display), "sso", "acs_url") + ": path " + path +
         " is not this site's endpoint " + expected +
         "; fine if a proxy rewrites it, otherwise the IdP's responses will not reach this site";
}

void AddAcsWarning(const std::string& display, Settings& settings, SiteConfig& site) {
  if (auto warning = AcsPathWarning(display, settings, site.id)) {
    settings.warnings.push_back(std::move(*warning));
  }
  site.warnings = settings.warnings;
}

// Fail closed: if any of the files asks for `required`, the site is treated
// as required while it is broken.
std::optional<SignInPolicy> IntendedPolicy(const std::vector<std::string>& files) {
  std::optional<SignInPolicy> policy;
  for (const std::string& file : files) {
    const auto intended = ReadIntendedSignInPolicy(file);
    if (intended && (!policy || *intended > *policy)) policy = intended;
  }
  return policy;
}

// What makes two sites' settings collide: the same SP entity ID (the
// audience of every assertion, SAML core 2.5.1.4) or the same ACS URL (the
// Destination and Recipient, SAML core 3.2.2, profiles 4.1.4.2). Either lets
// a response issued for one site be accepted by the other.
struct SharedKey {
  std::string_view name;
  std::string Settings::*member;
  std::string (*value)(const Settings&);  ///< what is compared
};

std::string EntityIdOf(const Settings& s) { return s.sp_entity_id; }

// Compared normalized (scheme and host case, percent-encoding, dot
// segments), since both spellings reach the same endpoint.
std::string AcsUrlOf(const Settings& s) {
  auto parsed = boost::urls::parse_absolute_uri(s.acs_url);
  if (!parsed) return s.acs_url;
  boost::urls::url url(*parsed);
  url.normalize();
  return std::string(url.buffer());
}

constexpr std::array<SharedKey, 2> kSharedKeys = {
    SharedKey{"sp_entity_id", &Settings::sp_entity_id, &EntityIdOf},
    SharedKey{"acs_url", &Settings::acs_url, &AcsUrlOf},
};

// Blames sites that share a SharedKey, in one pass per key over a hash map
// (thousands of sites: no pairwise comparison). With `previous`, a site
// whose settings did not change keeps them and only the new or changed site
// of a clash is refused; when all of them changed, all are.
void CheckConflicts(std::vector<SiteConfig>& sites, const std::vector<std::string>& display,
                    const PlatformConfig* previous) {
  std::vector<bool> unchanged(sites.size(), false);
  std::vector<std::optional<Error>> blame(sites.size());
  if (previous != nullptr) {
    for (std::size_t i = 0; i < sites.size(); ++i) {
      if (!sites[i].settings) continue;
      const SiteConfig* before = previous->Find(sites[i].id);
      unchanged[i] = before != nullptr && before->settings.has_value() &&
                     *before->settings == *sites[i].settings;
    }
  }
  for (const SharedKey& key : kSharedKeys) {
    std::unordered_map<std::string, std::vector<std::size_t>> holders;
    holders.reserve(sites.size());
    for (std::size_t i = 0; i < sites.size(); ++i) {
      if (sites[i].settings) holders[key.value(*sites[i].settings)].push_back(i);
    }
    for (const auto& [value, group] : holders) {
      if (group.size() < 2) continue;
      // Found once per group, so a value shared by thousands of copied
      // files costs linear time too.
      const auto keeper =
          std::find_if(group.begin(), group.end(), [&](std::size_t i) { return unchanged[i]; });
      const bool any_changed =
          std::any_of(group.begin(), group.end(), [&](std::size_t i) { return !unchanged[i]; });
      for (std::size_t i : group) {
        if (blame[i] || (unchanged[i] && any_changed)) continue;
        // Name the site that keeps the value, if one does.
        std::size_t other = group.front() == i ? group[1] : group.front();
        if (keeper != group.end() && *keeper != i) other = *keeper;
        std::string message = display[i] + ": " + Where(FormatOfSite(display[i]), "sso", key.name) +
                              ": " + Quote(*sites[i].settings.*key.member) + " is also the " +
                              std::string(key.name) + " of site '" + sites[other].id + "' (" +
                              display[other] + ")";
        if (group.size() > 2) {
          message += " and of " + std::to_string(group.size() - 2) + " other site(s)";
        }
        message +=
            "; a response for one site could be replayed to the other, so each site "
            "needs its own " +
            std::string(key.name);
        if (unchanged[other] && any_changed) {
          message += " (site '" + sites[other].id + "' is unchanged and keeps it)";
        }
        blame[i] = MakeError(kSiteConflict, message);
      }
    }
  }
  for (std::size_t i = 0; i < sites.size(); ++i) {
    if (!blame[i]) continue;
    sites[i].intended_policy = sites[i].settings->sign_in;
    sites[i].settings = std::move(*blame[i]);
  }
}

struct SiteFileName {
  std::string stem;
  std::string name;  ///< with the extension
};

// Every *.ini / *.json in the directory (extension case-insensitive), not
// dotfiles (editors' and sync tools' leftovers), not directories, not the
// platform file itself (`sites = .`). Sorted by stem, then name.
Result<std::vector<SiteFileName>> ListSiteFiles(const PlatformConfig& platform,
                                                const std::string& where) {
  std::vector<SiteFileName> found;
  std::error_code ec;
  fs::directory_iterator it(platform.sites_dir, ec);
  const auto unreadable = [&] {
    return MakeError(kFileUnreadable,
                     where + ": cannot list " + platform.sites_dir + " (" + ec.message() + ")");
  };
  if (ec) return unreadable();
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) return unreadable();
    const fs::path& path = it->path();
    std::string name = path.filename().string();
    if (name.empty() || name.front() == '.') continue;
    const std::string extension = detail::Lower(path.extension().string());
    if (extension != ".ini" && extension != ".json") continue;
    std::error_code type_ec;
    if (it->is_directory(type_ec)) continue;
    if (path.lexically_normal().string() == platform.source_path) continue;
    found.push_back({path.stem().string(), std::move(name)});
  }
  if (ec) return unreadable();
  std::sort(found.begin(), found.end(), [](const SiteFileName& a, const SiteFileName& b) {
    return a.stem != b.stem ? a.stem < b.stem : a.name < b.name;
  });
  return found;
}

Result<PlatformConfig> LoadSingleSite(const std::string& path, PlatformConfig out) {
  out.single_site = true;
  SiteConfig site;
  site.id = std::string(kDefaultSiteId);
  site.path = out.source_path;
  auto settings = LoadSettings(path);
  if (settings) {
    settings->site_id = site.id;
    out.database = settings->database;
    out.database_password_env = settings->database_password_env;
    out.database_password = settings->database_password;
    AddAcsWarning(path, *settings, site);
  } else {
    site.intended_policy = ReadIntendedSignInPolicy(path);
  }
  site.settings = std::move(settings);
  out.sites.push_back(std::move(site));
  return out;
}

Result<PlatformConfig> Load(const std::string& path, const PlatformConfig* previous) {
  auto file = detail::ReadConfigFile(path);
  if (!file) return file.error();
  const Format* format = &file->format;
  const std::string* text = &file->text;
  const ptree* root = &file->root;
  const fs::path& absolute = file->absolute;
  PlatformConfig out;
  out.source_path = absolute.string();

  const bool has_platform = DeclaresSection(*format, *root, *text, kPlatform);
  const bool has_sso = DeclaresSection(*format, *root, *text, "sso");
  if (has_platform && has_sso) {
    return MakeError(kPlatformAndSite,
                     path + ": has both " + SectionLabel(*format, kPlatform) + " and " +
                         SectionLabel(*format, "sso") + "; a platform file has only " +
                         SectionLabel(*format, kPlatform) +
                         " and its sites' settings go in their own files in the sites directory, "
                         "a single-site file has " +
                         SectionLabel(*format, "sso") + " and no " +
                         SectionLabel(*format, kPlatform) + "; remove one of them");
  }
  if (!has_platform) {
    // A typo of [platform] in a file without [sso] would otherwise read as
    // a single-site file missing all of its keys.
    if (!has_sso) {
      const std::array<std::string_view, 1> known = {kPlatform};
      for (const auto& [name, node] : *root) {
        if (!name.empty() && name != "mapping" && name != "routing" &&
            !detail::ClosestName(name, known).empty()) {
          return MakeError(kUnknownSection, path + ": " + SectionLabel(*format, name) +
                                                ": unknown section (did you mean " +
                                                SectionLabel(*format, kPlatform) + "?)");
        }
      }
    }
    return LoadSingleSite(path, std::move(out));
  }

  std::map<std::string, std::string> raw;
  PlatformReader reader(path, *format, absolute.parent_path());
  if (auto status = reader.Run(*root, out, raw); !status) return status.error();

  // Site files are named the way the admin named the platform file and the
  // directory (relative stays relative), like the loader names its file.
  const fs::path display_dir = (fs::path(path).parent_path() / raw["sites"]).lexically_normal();
  auto files = ListSiteFiles(out, path + ": " + Where(*format, kPlatform, "sites"));
  if (!files) return files.error();

  std::vector<std::string> display;
  display.reserve(files->size());
  out.sites.reserve(files->size());
  for (std::size_t begin = 0; begin < files->size();) {
    std::size_t end = begin + 1;
    while (end < files->size() && (*files)[end].stem == (*files)[begin].stem) ++end;
    SiteConfig site;
    site.id = (*files)[begin].stem;
    site.path = (fs::path(out.sites_dir) / (*files)[begin].name).string();
    std::vector<std::string> named;
    for (std::size_t i = begin; i < end; ++i) {
      named.push_back((display_dir / (*files)[i].name).string());
    }
    if (!IsValidSiteId(site.id)) {
      site.settings = MakeError(
          kInvalidSiteId, named.front() + ": the site ID " + Quote(site.id) +
                              " (the file name without its extension) must match " +
                              std::string(kSiteIdRule) +
                              ": lower-case letters, digits and '-', starting with a letter or "
                              "digit, at most 63 characters; rename the file");
      site.intended_policy = IntendedPolicy(named);
    } else if (named.size() > 1) {
      std::string message = named.front() + ": the site '" + site.id + "' is also defined by ";
      for (std::size_t i = 1; i < named.size(); ++i) {
        message += (i > 1 ? ", " : "") + named[i];
      }
      message += "; a site has one file, remove or rename the others";
      site.settings = MakeError(kDuplicateSite, message);
      site.intended_policy = IntendedPolicy(named);
    } else {
      auto settings = LoadSiteSettings(named.front(), SiteFile{site.id, out.database, path});
      if (settings) {
        AddAcsWarning(named.front(), *settings, site);
      } else {
        site.intended_policy = ReadIntendedSignInPolicy(named.front());
      }
      site.settings = std::move(settings);
    }
    display.push_back(named.front());
    out.sites.push_back(std::move(site));
    begin = end;
  }
  CheckConflicts(out.sites, display, previous);
  return out;
}

}  // namespace

bool IsValidSiteId(std::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  const auto lower_or_digit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!lower_or_digit(id.front())) return false;
  return std::all_of(id.begin() + 1, id.end(),
                     [&](char c) { return lower_or_digit(c) || c == '-'; });
}

std::string SiteEndpointPath(std::string_view site_id, std::string_view endpoint) {
  if (site_id == kDefaultSiteId) return "/sso/" + std::string(endpoint);
  return "/sso/" + std::string(site_id) + "/" + std::string(endpoint);
}

const SiteConfig* PlatformConfig::Find(std::string_view id) const {
  const auto it = std::lower_bound(
      sites.begin(), sites.end(), id,
      [](const SiteConfig& site, std::string_view wanted) { return site.id < wanted; });
  return it != sites.end() && it->id == id ? &*it : nullptr;
}

Result<PlatformConfig> LoadPlatform(const std::string& path, const PlatformConfig* previous) {
  try {
    return Load(path, previous);
  } catch (const std::exception& e) {
    // Only allocation failures and the like reach here; no exception leaves
    // the module.
    return MakeError(kFileUnreadable, path + ": " + e.what());
  }
}

}  // namespace vsso::config
