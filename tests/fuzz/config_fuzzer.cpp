// Fuzzes the configuration loader (config/loader.hpp) the way an admin's
// file reaches it: the input, after a leading format byte (even: INI, odd:
// JSON), is written as visitor-sso.ini / visitor-sso.json into a temp
// directory that also holds the certificate and key files a valid config
// names (certs/idp.pem, certs/sp.pem, certs/sp.key, metadata.xml), and
// loaded with LoadSettings and ReadIntendedSignInPolicy.
//
// Checks: no crash, no sanitizer error, no exception; a refusal has one of
// the documented config.* codes and a message naming the file; accepted
// settings hold the loader's promises (required keys present, absolute
// paths, rules sorted by order, each rule of the form "<condition> -> <team>").
// Accepted routing rules are then compiled as the plugin does at load.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "routing/rules.hpp"

namespace {

namespace fs = std::filesystem;

[[noreturn]] void Violation(const std::string& what, const std::string& text) {
  std::fprintf(stderr, "config_fuzzer: INVARIANT VIOLATED: %s\n--- file ---\n%s\n", what.c_str(),
               text.c_str());
  std::abort();
}

void Check(bool ok, const std::string& what, const std::string& text) {
  if (!ok) Violation(what, text);
}

// A directory of the process's own, removed at exit.
struct Workspace {
  fs::path dir;
  Workspace() {
    std::string pattern = (fs::temp_directory_path() / "vsso-config-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("config_fuzzer: mkdtemp");
      std::abort();
    }
    dir = pattern;
    fs::create_directories(dir / "certs");
    // The loader only checks that these exist and are readable files.
    for (const char* name :
         {"certs/idp.pem", "certs/idp-next.pem", "certs/sp.pem", "certs/sp.key", "metadata.xml"}) {
      std::ofstream(dir / name) << "placeholder\n";
    }
  }
  ~Workspace() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
};

Workspace& Work() {
  static Workspace workspace;
  return workspace;
}

// The codes LoadSettings may refuse a single-site file with (docs/errors.md).
const std::set<std::string> kCodes = {
    "config.unsupported_format", "config.file_missing",    "config.file_unreadable",
    "config.parse_error",        "config.unknown_section", "config.unknown_key",
    "config.invalid_value",      "config.missing_key",     "config.unknown_attribute_alias",
    "config.env_unset",          "config.key_permissions"};

void CheckSettings(const vsso::config::Settings& s, const std::string& path,
                   const std::string& text) {
  Check(!s.sp_entity_id.empty() && !s.acs_url.empty(), "accepted without sp_entity_id/acs_url",
        text);
  if (s.idp_metadata.empty()) {
    Check(!s.idp_entity_id.empty() && !s.idp_sign_in_url.empty() && !s.idp_certificates.empty(),
          "accepted without IdP settings or idp_metadata", text);
  }
  Check(s.sp_private_key.empty() == s.sp_certificate.empty(),
        "accepted an SP key without its certificate or the reverse", text);
  Check(!s.sign_authn_requests || !s.sp_private_key.empty(),
        "accepted sign_authn_requests without an SP key", text);
  Check(fs::path(s.source_path) == fs::absolute(path).lexically_normal(),
        "source_path is not the loaded file", text);
  for (const std::string& file : s.idp_certificates) {
    Check(fs::path(file).is_absolute(), "an idp_certificates path is not absolute", text);
  }
  Check(fs::path(s.database).is_absolute(), "the database path is not absolute", text);
  for (std::size_t i = 1; i < s.routing_rules.size(); ++i) {
    Check(s.routing_rules[i - 1].order <= s.routing_rules[i].order,
          "routing rules are not sorted by order", text);
  }
  std::set<std::string> fields;
  for (const auto& m : s.mappings) {
    Check(fields.insert(m.field).second, "a chat field is mapped twice", text);
    Check(!m.attributes.empty(), "a mapping without attributes", text);
    for (const auto& a : m.attributes) Check(!a.empty(), "an empty mapped attribute name", text);
  }
  for (const auto& r : s.routing_rules) {
    Check(r.order > 0 && r.text.find(" -> ") != std::string::npos,
          "a routing rule without order or arrow", text);
  }

  // As the plugin's runtime does at load (hooks/runtime.cpp).
  std::vector<std::string> known{"name",  "email",      "company",
                                 "phone", "department", "product_service"};
  for (const auto& m : s.mappings) {
    if (m.field.find(':') != std::string::npos) known.push_back(m.field);
  }
  std::vector<vsso::routing::RuleInput> rules;
  for (const auto& r : s.routing_rules) rules.push_back({r.name, r.order, r.text});
  auto compiled = vsso::routing::RuleSet::Compile(rules, s.routing_default, known);
  if (compiled) {
    Check(compiled->size() == rules.size(), "a compiled rule went missing", text);
  } else {
    Check(compiled.error().code == "routing.invalid_rule" && !compiled.error().message.empty(),
          "a routing compile error without its code or message", text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Work();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return -1;
  const bool json = (data[0] & 1) != 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::string path = (Work().dir / (json ? "visitor-sso.json" : "visitor-sso.ini")).string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) {
      std::perror("config_fuzzer: write");
      std::abort();
    }
  }

  try {
    auto settings = vsso::config::LoadSettings(path);
    // VSSO_FUZZ_DEBUG=1: say what each input became (to check seeds).
    static const bool debug = std::getenv("VSSO_FUZZ_DEBUG") != nullptr;
    if (debug) {
      std::fprintf(
          stderr, "config_fuzzer: %s\n",
          settings ? "loaded" : (settings.error().code + ": " + settings.error().message).c_str());
    }
    if (settings) {
      CheckSettings(*settings, path, text);
    } else {
      const auto& e = settings.error();
      Check(kCodes.count(e.code) == 1, "undocumented error code '" + e.code + "'", text);
      Check(e.message.find(path) != std::string::npos, "the message does not name the file", text);
    }
    // The best-effort reading must not contradict a file that loads.
    const auto intended = vsso::config::ReadIntendedSignInPolicy(path);
    if (settings && intended) {
      Check(*intended == settings->sign_in, "ReadIntendedSignInPolicy contradicts LoadSettings",
            text);
    }
  } catch (const std::exception& e) {
    Violation(std::string("an exception left the loader: ") + e.what(), text);
  }
  return 0;
}
