// sites list --config CONFIG: one line per site, sorted by ID, tab-separated:
//
//   ID  ok|error  POLICY  CERTIFICATES  EARLIEST-EXPIRY  PROBLEM
//
// built by hooks::Sites::Load, the code the plugin configures itself with, so
// a site listed `ok` is one the plugin serves. Exit 1 when any site is broken.
#include <algorithm>
#include <iostream>
#include <string>

#include "cli.hpp"
#include "hooks/sites.hpp"

namespace vsso::admin {
namespace {

// One field of a tab-separated line: tabs and line breaks of a message
// become spaces so that every site stays one line of six fields.
std::string Field(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\t' || c == '\n' || c == '\r'; }, ' ');
  return text.empty() ? "-" : text;
}

// The sign-in policy a site serves with, or, for a broken site, the one its
// file asks for when readable (only a required one refuses chats).
std::string Policy(const hooks::Sites& sites, const hooks::Site& site) {
  if (site.runtime && !site.broken()) return config::ToString(site.runtime->settings.sign_in);
  if (site.intended_policy) return config::ToString(*site.intended_policy);
  // A file that loaded but whose site could not be built (a key or
  // certificate file): its settings still say what it asks for.
  if (const config::SiteConfig* file = sites.config().Find(site.id); file && file->settings) {
    return config::ToString(file->settings->sign_in);
  }
  return "-";
}

}  // namespace

int SitesList(const Args& a) {
  if (a.config.empty()) return Usage("sites list needs --config CONFIG");
  if (a.positional.size() != 2) return Usage("sites list takes no arguments");
  if (int rc = RefuseSite(a, "sites list"); rc != kOk) return rc;
  auto loaded = hooks::Sites::Load(a.config, 0, nullptr);
  // The platform file itself is unusable: no site can be listed.
  if (!loaded) return ConfigError(loaded.error());
  const hooks::Sites& sites = **loaded;
  for (const auto& warning : sites.config().warnings) {
    std::cerr << "warning: " << warning << "\n";
  }
  int result = kOk;
  for (const hooks::Site* site : sites.sorted()) {
    std::string line = site->id + "\t";
    if (site->broken()) {
      // No previous configuration here (a fresh load): a broken site has no
      // runtime, so it has no active certificates either.
      line += "error\t" + Policy(sites, *site) + "\t-\t-\t" +
              Field(site->error.message + " [" + site->error.code + "]");
      result = kCheckFailed;
    } else {
      const auto& rt = *site->runtime;
      std::string expiry = "-";
      if (!rt.idp_certificates.empty()) {
        UnixSeconds earliest = rt.idp_certificates[0].not_after;
        for (const auto& c : rt.idp_certificates) earliest = std::min(earliest, c.not_after);
        expiry = Iso(earliest).substr(0, 10);  // YYYY-MM-DD of the UTC time
      }
      std::string warnings;
      for (const auto& w : rt.settings.warnings) warnings += (warnings.empty() ? "" : "; ") + w;
      line += "ok\t" + Policy(sites, *site) + "\t" + std::to_string(rt.idp_certificates.size()) +
              "\t" + expiry + "\t" + Field(warnings);
    }
    std::cout << line << "\n";
  }
  return result;
}

}  // namespace vsso::admin
