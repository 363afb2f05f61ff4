#include "config/loader.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <ranges>
#include <set>
#include <sstream>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/json_parser.hpp>
#include <boost/property_tree/ptree.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

#include <sys/stat.h>

#include "common/entity_id.hpp"
#include "config/attribute_aliases.hpp"
#include "config/keys.hpp"
#include "config/reader.hpp"

namespace vsso::config {
namespace {

namespace fs = std::filesystem;
using boost::property_tree::ptree;

constexpr const char* kFileMissing = "config.file_missing";
constexpr const char* kFileUnreadable = "config.file_unreadable";
constexpr const char* kUnknownSection = "config.unknown_section";
constexpr const char* kUnknownKey = "config.unknown_key";
constexpr const char* kInvalidValue = "config.invalid_value";
constexpr const char* kMissingKey = "config.missing_key";
constexpr const char* kKeyPermissions = "config.key_permissions";
constexpr const char* kSiteDatabase = "config.site_database";
constexpr const char* kUnknownAttributeAlias = "config.unknown_attribute_alias";

constexpr std::array<std::string_view, 3> kSections = {"sso", "mapping", "routing"};
constexpr std::array<std::string_view, 6> kChatFields = {"name",  "email",      "company",
                                                         "phone", "department", "product_service"};
constexpr std::string_view kPrechatPrefix = "prechat:";
constexpr std::string_view kVariablePrefix = "variable:";
constexpr std::string_view kRulePrefix = "rule.";

using detail::ClosestName;
using detail::Format;
using detail::IsList;
using detail::Quote;
using detail::Trim;

bool IsIdentifier(std::string_view s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s.front()))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::vector<std::string> SplitWhitespace(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string item; in >> item;) out.push_back(item);
  return out;
}

std::vector<std::string> SplitOn(std::string_view s, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = s.find(separator, start);
    out.push_back(Trim(s.substr(start, end == std::string_view::npos ? s.npos : end - start)));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

// Turns the property tree (same shape for INI and JSON) into Settings,
// stopping at the first problem so the admin gets one precise message.
class Loader {
 public:
  Loader(std::string display, Format format, fs::path base_dir, std::string source_path,
         const SiteFile* site)
      : display_(std::move(display)), format_(format), base_dir_(std::move(base_dir)), site_(site) {
    settings_.source_path = std::move(source_path);
  }

  Result<Settings> Run(const ptree& root) {
    if (format_ == Format::kJson && (!root.data().empty() || IsList(root))) {
      return MakeError(kInvalidValue,
                       display_ + ": the top level must be an object with sso, mapping, routing");
    }
    if (auto status = ApplyDefaults(); !status) return status.error();
    if (site_ != nullptr) {
      // The platform's database, already resolved and checked there.
      settings_.site_id = site_->site_id;
      settings_.database = site_->database;
    }
    std::set<std::string> seen;
    for (const auto& [name, section] : root) {
      if (auto status = ReadSection(name, section, seen); !status) return status.error();
    }
    if (auto status = CheckRequired(); !status) return status.error();
    if (auto status = CheckFiles(); !status) return status.error();
    if (auto status = ReadDatabasePassword(); !status) return status.error();
    return std::move(settings_);
  }

 private:
  std::string SectionLabel(std::string_view section) const {
    return format_ == Format::kIni ? "[" + std::string(section) + "]" : std::string(section);
  }

  std::string Where(std::string_view section, std::string_view key) const {
    return format_ == Format::kIni ? SectionLabel(section) + " " + std::string(key)
                                   : std::string(section) + "." + std::string(key);
  }

  Error Fail(const char* code, std::string_view section, std::string_view key,
             std::string_view problem) const {
    return MakeError(code, display_ + ": " + Where(section, key) + ": " + std::string(problem));
  }

  Status ReadSection(const std::string& name, const ptree& section, std::set<std::string>& seen) {
    // read_ini drops empty sections, so a childless entry is a key written
    // above the first section header.
    if (format_ == Format::kIni && section.empty()) {
      return MakeError(kUnknownKey, display_ + ": " + name +
                                        ": key outside any section; put it under [sso], "
                                        "[mapping] or [routing]");
    }
    if (std::find(kSections.begin(), kSections.end(), name) == kSections.end()) {
      std::string message = display_ + ": " + SectionLabel(name) + ": unknown section";
      if (site_ != nullptr && name == "platform") {
        return MakeError(kUnknownSection,
                         message + "; " + SectionLabel(name) + " belongs in the platform file " +
                             site_->platform_path + ", a site file has " + SectionLabel("sso") +
                             ", " + SectionLabel("mapping") + " and " + SectionLabel("routing"));
      }
      if (const std::string near = ClosestName(name, kSections); !near.empty()) {
        message += " (did you mean " + SectionLabel(near) + "?)";
      } else {
        message += "; expected " + SectionLabel("sso") + ", " + SectionLabel("mapping") + " or " +
                   SectionLabel("routing");
      }
      return MakeError(kUnknownSection, message);
    }
    if (!seen.insert(name).second) {
      return MakeError(kInvalidValue, display_ + ": " + name + ": section appears twice");
    }
    if (!section.data().empty() || IsList(section)) {
      return MakeError(kInvalidValue, display_ + ": " + name + ": expected an object");
    }
    std::set<std::string> keys;
    for (const auto& [key, node] : section) {
      // read_ini already rejects duplicate keys; read_json keeps both.
      if (!keys.insert(key).second) return Fail(kInvalidValue, name, key, "key appears twice");
      Status status = name == "sso"       ? ReadSsoKey(key, node)
                      : name == "mapping" ? ReadMappingKey(key, node)
                                          : ReadRoutingKey(key, node);
      if (!status) return status;
    }
    return Ok();
  }

  // --- values -------------------------------------------------------------

  Result<std::string> Scalar(std::string_view section, std::string_view key,
                             const ptree& node) const {
    if (!node.empty()) return Fail(kInvalidValue, section, key, "expected a single value");
    const std::string& value = node.data();
    if (format_ == Format::kIni) {
      // Say so instead of "unknown value" (see TrailingComment).
      if (auto comment = detail::TrailingComment(value)) {
        return Fail(kInvalidValue, section, key,
                    "value " + Quote(value) + " contains a trailing comment " + Quote(*comment) +
                        "; comments must stand on their own line");
      }
    }
    return Trim(value);
  }

  // A list is a JSON array of strings or one string split by `split`.
  template <class Split>
  Result<std::vector<std::string>> List(std::string_view section, std::string_view key,
                                        const ptree& node, Split split) const {
    if (!IsList(node)) {
      auto value = Scalar(section, key, node);
      if (!value) return value.error();
      return split(*value);
    }
    std::vector<std::string> items;
    for (const auto& child : node) {
      const std::string where = std::string(key) + "[" + std::to_string(items.size()) + "]";
      auto value = Scalar(section, where, child.second);
      if (!value) return value.error();
      items.push_back(std::move(*value));
    }
    return items;
  }

  std::string Resolve(std::string_view value) const {
    fs::path path(value);
    if (path.is_relative()) path = base_dir_ / path;
    return path.lexically_normal().string();
  }

  // --- [sso], all from the key table (config/keys.cpp) ----------------------

  // Every key starts at its table default, parsed like a value from the
  // file, so a default can never be something the file could not say.
  Status ApplyDefaults() {
    for (const KeySpec& key : SsoKeys()) {
      if (key.default_value.empty()) continue;
      if (auto status = SetSsoKey(key, ptree(std::string(key.default_value))); !status) {
        return status;
      }
    }
    return Ok();
  }

  Status ReadSsoKey(const std::string& name, const ptree& node) {
    // One database serves every site of a platform (its rows are keyed by
    // site), so a site cannot choose its own.
    if (site_ != nullptr && (name == "database" || name == "database_password_env")) {
      return Fail(kSiteDatabase, "sso", name,
                  "the database belongs to the platform file " + site_->platform_path +
                      "; remove this key");
    }
    if (const KeySpec* key = FindSsoKey(name)) return SetSsoKey(*key, node);
    std::string problem = "unknown key";
    // A plain vector, not views::transform: clang 14 (the fuzz preset)
    // cannot compile libstdc++ 12's transform_view over a span.
    std::vector<std::string_view> names;
    for (const KeySpec& key : SsoKeys()) names.push_back(key.name);
    if (const std::string near = ClosestName(name, names); !near.empty()) {
      problem += " (did you mean " + near + "?)";
    }
    return Fail(kUnknownKey, "sso", name, problem);
  }

  template <class T>
  T& Member(const KeySpec& key) {
    return settings_.*std::get<T Settings::*>(key.member);
  }
  template <class T>
  const T& Member(const KeySpec& key) const {
    return settings_.*std::get<T Settings::*>(key.member);
  }

  // Empty text or list; a bool, number or choice always has a value.
  bool IsEmpty(const KeySpec& key) const {
    return std::visit(
        [this](auto member) {
          using T = std::remove_cvref_t<decltype(settings_.*member)>;
          if constexpr (std::is_same_v<T, std::string> ||
                        std::is_same_v<T, std::vector<std::string>>) {
            return (settings_.*member).empty();
          } else {
            return false;
          }
        },
        key.member);
  }

  // Parses `node` as the table says `key` is typed and stores it in the
  // key's Settings member.
  Status SetSsoKey(const KeySpec& key, const ptree& node) {
    const std::string_view name = key.name;
    if (key.type == KeyType::kFileList) {
      auto files = List("sso", name, node, SplitWhitespace);
      if (!files) return files.error();
      auto& out = Member<std::vector<std::string>>(key);
      out.clear();
      for (const std::string& file : *files) {
        if (file.empty()) return Fail(kInvalidValue, "sso", name, "empty file name in the list");
        out.push_back(Resolve(file));
      }
      return Ok();
    }
    auto value = Scalar("sso", name, node);
    if (!value) return value.error();
    switch (key.type) {
      case KeyType::kBool:
        if (*value != "true" && *value != "false") {
          return Fail(kInvalidValue, "sso", name, "expected true or false, got " + Quote(*value));
        }
        Member<bool>(key) = *value == "true";
        return Ok();
      case KeyType::kInteger: {
        std::int64_t parsed = 0;
        const char* end = value->data() + value->size();
        const auto [ptr, ec] = std::from_chars(value->data(), end, parsed);
        if (value->empty() || ec != std::errc() || ptr != end || parsed < key.min ||
            parsed > key.max) {
          return Fail(kInvalidValue, "sso", name,
                      "expected an integer from " + std::to_string(key.min) + " to " +
                          std::to_string(key.max) + ", got " + Quote(*value));
        }
        Member<std::int64_t>(key) = parsed;
        return Ok();
      }
      case KeyType::kChoice: {
        auto policy = ParseSignInPolicy(*value);
        if (!policy) return Fail(kInvalidValue, "sso", name, policy.error().message);
        Member<SignInPolicy>(key) = *policy;
        return Ok();
      }
      case KeyType::kEntityId:
        if (auto status = CheckEntityId(name, *value); !status) return status;
        break;
      case KeyType::kHttpUrl:
        if (auto status = CheckHttpUrl(name, *value); !status) return status;
        break;
      case KeyType::kMetadataUrl:
        if (auto status = CheckMetadataUrl(name, *value); !status) return status;
        break;
      case KeyType::kFile:
      case KeyType::kDirectory:  // not an [sso] type (keys.cpp)
        if (!value->empty()) *value = Resolve(*value);
        break;
      case KeyType::kDatabase:
        // Empty means the default, as if the key were left out.
        if (value->empty()) *value = std::string(key.default_value);
        if (auto problem = detail::DatabaseValueProblem(*value)) {
          return Fail(kInvalidValue, "sso", name, *problem);
        }
        // A URI is libpq's to read; only a file path is resolved.
        if (!value->empty() && !detail::IsPostgresUri(*value)) *value = Resolve(*value);
        break;
      case KeyType::kEnvName:
        if (!value->empty() && !detail::IsEnvName(*value)) {
          return Fail(kInvalidValue, "sso", name,
                      "expected the name of an environment variable (letters, digits and _, not "
                      "starting with a digit) that holds the password, not the password itself; "
                      "the value is not shown here in case it is one");
        }
        break;
      case KeyType::kText:
      case KeyType::kFileList:
        break;
    }
    Member<std::string>(key) = std::move(*value);
    return Ok();
  }

  // SAML Metadata 2.9: entityID is anyURI, which admits `urn:...` and plain
  // relying-party identifiers (`my-chat`); see common/entity_id.hpp. Empty
  // is "not set" here, reported as config.missing_key when required.
  Status CheckEntityId(std::string_view key, const std::string& value) const {
    if (value.empty()) return Ok();
    // The message must not carry the control character it complains about.
    const auto Printable = [](std::string text) {
      for (char& c : text) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
      }
      return text;
    };
    if (auto problem = entity_id::Problem(value)) {
      return Fail(kInvalidValue, "sso", key,
                  "the entity ID " + Quote(Printable(value)) + " " + *problem +
                      " (expected 1 to 1024 characters without white space, such as "
                      "https://chat.example.com/sso/metadata, urn:example:chat or my-chat)");
    }
    return Ok();
  }

  Status CheckHttpUrl(std::string_view key, const std::string& value) const {
    if (value.empty()) return Ok();
    auto url = boost::urls::parse_absolute_uri(value);
    const bool http = url && (url->scheme_id() == boost::urls::scheme::https ||
                              url->scheme_id() == boost::urls::scheme::http);
    if (!http || url->encoded_host().empty()) {
      return Fail(
          kInvalidValue, "sso", key,
          "expected an absolute http(s) URL such as https://host/path, got " + Quote(value));
    }
    return Ok();
  }

  // The trust anchor itself travels over this URL: plain http is allowed
  // only where no network sees it (RFC 6761 6.3 localhost, RFC 1122 3.2.1.3
  // 127.0.0.0/8, RFC 4291 2.5.3 ::1), e.g. a local mirror or a test server.
  Status CheckMetadataUrl(std::string_view key, const std::string& value) const {
    if (value.empty()) return Ok();
    auto url = boost::urls::parse_absolute_uri(value);
    const bool https = url && url->scheme_id() == boost::urls::scheme::https;
    const bool http = url && url->scheme_id() == boost::urls::scheme::http;
    if (!(https || http) || url->encoded_host().empty()) {
      return Fail(kInvalidValue, "sso", key,
                  "expected an absolute https URL such as "
                  "https://idp.example.com/metadata.xml, got " +
                      Quote(value));
    }
    if (http && !IsLoopbackHost(*url)) {
      return Fail(kInvalidValue, "sso", key,
                  "plain http is allowed only to a loopback host (127.0.0.0/8, ::1, localhost), "
                  "since anyone on the network could change the IdP's keys in transit; use "
                  "https, got " +
                      Quote(value));
    }
    return Ok();
  }

  static bool IsLoopbackHost(const boost::urls::url_view& url) {
    switch (url.host_type()) {
      case boost::urls::host_type::ipv4:
        return url.host_ipv4_address().is_loopback();
      case boost::urls::host_type::ipv6:
        return url.host_ipv6_address().is_loopback();
      case boost::urls::host_type::name:
        return detail::Lower(url.host()) == "localhost";
      default:
        return false;
    }
  }

  // --- [mapping] ------------------------------------------------------------

  Result<std::string> MappingField(const std::string& key) const {
    if (std::find(kChatFields.begin(), kChatFields.end(), key) != kChatFields.end()) return key;
    if (key.starts_with(kPrechatPrefix)) {
      const std::string label = Trim(std::string_view(key).substr(kPrechatPrefix.size()));
      if (label.empty()) {
        return Fail(kInvalidValue, "mapping", key,
                    "prechat: needs the pre-chat field label, e.g. prechat:Account Number");
      }
      return std::string(kPrechatPrefix) + label;
    }
    if (key.starts_with(kVariablePrefix)) {
      const std::string name = Trim(std::string_view(key).substr(kVariablePrefix.size()));
      if (!IsIdentifier(name)) {
        return Fail(kInvalidValue, "mapping", key,
                    "variable name must be an identifier (letters, digits, _; not starting "
                    "with a digit), got " +
                        Quote(name));
      }
      return std::string(kVariablePrefix) + name;
    }
    std::string problem = "unknown chat field";
    if (const std::string near = ClosestName(key, kChatFields); !near.empty()) {
      problem += " (did you mean " + near + "?)";
    }
    problem +=
        "; expected name, email, company, phone, department, product_service, "
        "prechat:<label> or variable:<identifier>";
    return Fail(kInvalidValue, "mapping", key, problem);
  }

  Status ReadMappingKey(const std::string& key, const ptree& node) {
    auto field = MappingField(key);
    if (!field) return field.error();
    for (const Mapping& earlier : settings_.mappings) {
      if (earlier.field == *field) {
        return Fail(kInvalidValue, "mapping", key, "chat field " + *field + " is mapped twice");
      }
    }
    const bool from_list = IsList(node);
    auto attributes = List("mapping", key, node, [](const std::string& s) {
      return s.empty() ? std::vector<std::string>{} : SplitOn(s, '|');
    });
    if (!attributes) return attributes.error();
    if (attributes->empty()) {
      return Fail(kInvalidValue, "mapping", key, "no IdP attribute name given");
    }
    for (const std::string& attribute : *attributes) {
      if (attribute.empty()) {
        return Fail(kInvalidValue, "mapping", key, "empty IdP attribute name in the list");
      }
      if (from_list && attribute.find('|') != std::string::npos) {
        return Fail(kInvalidValue, "mapping", key,
                    "list items are single attribute names; '|' separates alternatives only in "
                    "the string form");
      }
    }
    // `@alias`es become their vendors' names here, so the store, the field
    // mapper and `mappings list` see plain attribute names.
    std::string configured;
    for (const std::string& attribute : *attributes) {
      configured += (configured.empty() ? "" : " | ") + attribute;
    }
    auto expanded = ExpandAttributeAliases(*attributes);
    if (!expanded) return Fail(kUnknownAttributeAlias, "mapping", key, expanded.error().message);
    settings_.mappings.push_back(
        Mapping{*field, std::move(*expanded), from_list ? configured : Trim(node.data())});
    return Ok();
  }

  // --- [routing] ------------------------------------------------------------

  Status AddRule(std::string_view key, std::string name, int order, const ptree& node) {
    auto text = Scalar("routing", key, node);
    if (!text) return text.error();
    // The value is already trimmed, so "cond -> " lost the space after the
    // arrow; padding restores it and the empty team is reported precisely.
    const std::string padded = " " + *text + " ";
    const std::size_t arrow = padded.rfind(" -> ");
    if (arrow == std::string::npos) {
      return Fail(kInvalidValue, "routing", key,
                  "expected '<condition> -> <team>', got " + Quote(*text));
    }
    if (Trim(std::string_view(padded).substr(0, arrow)).empty()) {
      return Fail(kInvalidValue, "routing", key, "the condition before ' -> ' is empty");
    }
    if (Trim(std::string_view(padded).substr(arrow + 4)).empty()) {
      return Fail(kInvalidValue, "routing", key, "the team after ' -> ' is empty");
    }
    settings_.routing_rules.push_back(RoutingRule{std::move(name), order, std::move(*text)});
    return Ok();
  }

  Status ReadRoutingKey(const std::string& key, const ptree& node) {
    if (key == "default") {
      auto value = Scalar("routing", key, node);
      if (!value) return value.error();
      settings_.routing_default = std::move(*value);
      return Ok();
    }
    if (format_ == Format::kJson) {
      if (key != "rules") {
        return Fail(kUnknownKey, "routing", key,
                    "unknown key; expected \"rules\": [...] and \"default\"");
      }
      if (!node.data().empty() || (!node.empty() && !IsList(node))) {
        return Fail(kInvalidValue, "routing", key, "expected a list of rules");
      }
      // JSON rules are numbered by their position, as rule.1..rule.N in INI.
      int order = 0;
      for (const auto& child : node) {
        ++order;
        const std::string where = key + "[" + std::to_string(order - 1) + "]";
        auto status = AddRule(where, "rule." + std::to_string(order), order, child.second);
        if (!status) return status;
      }
      return Ok();
    }
    if (key.starts_with(kRulePrefix)) {
      const std::string_view digits = std::string_view(key).substr(kRulePrefix.size());
      int order = 0;
      const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), order);
      // Canonical numbers only, so rule.01 and rule.1 cannot both exist.
      if (digits.empty() || digits.front() == '0' || ec != std::errc() ||
          ptr != digits.data() + digits.size()) {
        return Fail(kUnknownKey, "routing", key,
                    "unknown key; rules are named rule.1, rule.2, ... (positive numbers without "
                    "leading zeros)");
      }
      auto status = AddRule(key, key, order, node);
      if (!status) return status;
      std::sort(settings_.routing_rules.begin(), settings_.routing_rules.end(),
                [](const RoutingRule& a, const RoutingRule& b) { return a.order < b.order; });
      return Ok();
    }
    return Fail(kUnknownKey, "routing", key, "unknown key; expected rule.<number> or default");
  }

  // --- whole-file checks ------------------------------------------------------

  Status Require(std::string_view key, bool present, std::string_view why) const {
    if (present) return Ok();
    return Fail(kMissingKey, "sso", key, "required key is missing or empty" + std::string(why));
  }

  Status CheckRequired() const {
    const Settings& s = settings_;
    for (const KeySpec& key : SsoKeys()) {
      Status status = Ok();
      if (key.presence == Presence::kRequired) {
        status = Require(key.name, !IsEmpty(key), "");
      } else if (key.presence == Presence::kRequiredWithoutMetadata && s.idp_metadata.empty() &&
                 s.idp_metadata_url.empty()) {
        status = Require(key.name, !IsEmpty(key), " (or set idp_metadata or idp_metadata_url)");
      }
      if (!status) return status;
    }
    // One source of IdP metadata: a file and a URL could name different
    // keys, and which one wins would be a guess.
    if (!s.idp_metadata.empty() && !s.idp_metadata_url.empty()) {
      return Fail(kInvalidValue, "sso", "idp_metadata_url",
                  "idp_metadata (a file) is set too; use one source of IdP metadata, the file "
                  "or the URL");
    }
    if (!s.idp_metadata_signing_certificate.empty() && s.idp_metadata_url.empty()) {
      return Fail(kInvalidValue, "sso", "idp_metadata_signing_certificate",
                  "checks the signature of the document fetched from idp_metadata_url, which is "
                  "not set");
    }
    // Pairs of keys that only make sense together.
    for (auto status :
         {Require("sp_certificate", s.sp_private_key.empty() || !s.sp_certificate.empty(),
                  " (sp_private_key is set; the key and its certificate go together)"),
          Require("sp_private_key", s.sp_certificate.empty() || !s.sp_private_key.empty(),
                  " (sp_certificate is set; the key and its certificate go together)"),
          Require("sp_private_key", !s.sign_authn_requests || !s.sp_private_key.empty(),
                  " (sign_authn_requests = true needs sp_private_key and sp_certificate)")}) {
      if (!status) return status;
    }
    return Ok();
  }

  Status CheckInputFile(std::string_view key, const std::string& path) const {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status)) return Fail(kFileMissing, "sso", key, "file not found: " + path);
    if (!fs::is_regular_file(status)) {
      return Fail(kFileUnreadable, "sso", key, "not a regular file: " + path);
    }
    if (!std::ifstream(path, std::ios::binary)) {
      return Fail(kFileUnreadable, "sso", key,
                  "cannot be read: " + path + " (" + std::strerror(errno) + ")");
    }
    return Ok();
  }

  // A private key file is a secret. Writable by others: anyone on the
  // machine could put in a key of their own, so it is refused. Readable or
  // writable by the group, or readable by others: a warning (some set-ups
  // share a key with a service group on purpose). stat() follows symlinks,
  // like the open() that reads the key.
  Status CheckKeyPermissions(std::string_view key, const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
      return Fail(kFileUnreadable, "sso", key,
                  "cannot stat " + path + " (" + std::strerror(errno) + ")");
    }
    const unsigned mode = st.st_mode & 07777;
    char octal[8];
    std::snprintf(octal, sizeof octal, "%04o", mode);
    const std::string fix = "; run chmod 600 " + path;
    if ((mode & S_IWOTH) != 0) {
      return Fail(kKeyPermissions, "sso", key,
                  path + " is writable by others (mode " + octal +
                      "): anyone on this machine could replace the key, so it is refused" + fix);
    }
    std::string exposure;
    if ((mode & (S_IRGRP | S_IROTH)) != 0) exposure = "readable by group/others";
    if ((mode & S_IWGRP) != 0)
      exposure += std::string(exposure.empty() ? "" : " and ") + "writable by group";
    if (!exposure.empty()) {
      settings_.warnings.push_back(display_ + ": " + Where("sso", key) + " " + path + " is " +
                                   exposure + " (mode " + octal + ")" + fix);
    }
    return Ok();
  }

  Status CheckFiles() {
    for (const KeySpec& key : SsoKeys()) {
      if (key.type == KeyType::kFileList) {
        for (const std::string& file : Member<std::vector<std::string>>(key)) {
          if (auto status = CheckInputFile(key.name, file); !status) return status;
        }
      } else if (key.type == KeyType::kFile && !Member<std::string>(key).empty()) {
        if (auto status = CheckInputFile(key.name, Member<std::string>(key)); !status) {
          return status;
        }
      }
    }
    if (!settings_.sp_private_key.empty()) {
      if (auto status = CheckKeyPermissions("sp_private_key", settings_.sp_private_key); !status) {
        return status;
      }
    }
    for (const KeySpec& key : SsoKeys()) {
      if (key.type != KeyType::kDatabase || detail::IsPostgresUri(Member<std::string>(key))) {
        continue;
      }
      // SQLite creates the file itself but not its directory.
      const fs::path directory = fs::path(Member<std::string>(key)).parent_path();
      std::error_code ec;
      if (!fs::is_directory(directory, ec)) {
        return Fail(kFileMissing, "sso", key.name, "directory not found: " + directory.string());
      }
    }
    return Ok();
  }

  // Last, once the file is otherwise sound: the variable is read only for a
  // configuration that will be used. A site file of a platform never gets
  // here with a name set (refused in ReadSsoKey).
  Status ReadDatabasePassword() {
    const std::string& name = settings_.database_password_env;
    if (name.empty()) return Ok();
    if (!detail::IsPostgresUri(settings_.database)) {
      return Fail(kInvalidValue, "sso", "database_password_env",
                  "only a PostgreSQL database takes a password, and database is an SQLite "
                  "file; remove this key or set database to a postgresql:// URI");
    }
    auto password =
        detail::ReadPasswordEnv(display_ + ": " + Where("sso", "database_password_env"), name);
    if (!password) return password.error();
    settings_.database_password = std::move(*password);
    return Ok();
  }

  std::string display_;
  Format format_;
  fs::path base_dir_;
  const SiteFile* site_;  ///< nullptr: a single-site file
  Settings settings_;
};

// `site`: read as a site file of that platform; nullptr: a single-site file.
Result<Settings> Load(const std::string& path, const SiteFile* site) {
  auto file = detail::ReadConfigFile(path);
  if (!file) return file.error();
  return Loader(path, file->format, file->absolute.parent_path(), file->absolute.string(), site)
      .Run(file->root);
}

}  // namespace

Result<Settings> LoadSettings(const std::string& path) {
  try {
    return Load(path, nullptr);
  } catch (const std::exception& e) {
    // Only allocation failures and the like reach here; keep the promise
    // that no exception leaves the module.
    return MakeError(kFileUnreadable, path + ": " + e.what());
  }
}

Result<Settings> LoadSiteSettings(const std::string& path, const SiteFile& site) {
  try {
    return Load(path, &site);
  } catch (const std::exception& e) {
    return MakeError(kFileUnreadable, path + ": " + e.what());
  }
}

std::optional<SignInPolicy> ReadIntendedSignInPolicy(const std::string& path) {
  try {
    auto text = detail::ReadWholeFile(path);
    if (!text) return std::nullopt;
    ptree root;
    std::istringstream in(*text);
    if (detail::Lower(fs::path(path).extension().string()) == ".json") {
      boost::property_tree::read_json(in, root);
    } else {
      boost::property_tree::read_ini(in, root);
    }
    auto value = root.get_optional<std::string>("sso.sign_in");
    if (!value) return std::nullopt;
    auto policy = ParseSignInPolicy(*value);
    if (!policy) return std::nullopt;
    return *policy;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace vsso::config
