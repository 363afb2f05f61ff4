// metadata refresh --config CONFIG [--site ID]: fetches the IdP metadata of
// the site's idp_metadata_url now (without --site: of every site that has
// one), validates it as the plugin does and stores it. A good document
// replaces the stored copy, which running plugins (every node on the same
// database) pick up on their next tick, within a minute; a failure is
// recorded and printed, and the last good copy stays in force. One line per
// site, tab-separated:
//
//   ID  ok     ENTITY-ID  CERTIFICATES  VALID-UNTIL|-  NEXT-REFRESH
//   ID  error  MESSAGE [code]
//
// Exit 1 when any fetch or validation failed.
#include <iostream>

#include "cli.hpp"
#include "config/platform.hpp"
#include "hooks/idp_metadata_source.hpp"
#include "store/database.hpp"

namespace vsso::admin {

int MetadataRefresh(const Args& a) {
  if (a.config.empty()) return Usage("metadata refresh needs --config CONFIG");
  if (a.positional.size() != 2) return Usage("metadata refresh takes no arguments");
  auto platform = config::LoadPlatform(a.config);
  if (!platform) return ConfigError(platform.error());
  std::vector<const config::SiteConfig*> chosen;
  if (a.site_given) {
    const config::SiteConfig* site = platform->Find(a.site);
    if (site == nullptr) {
      return ConfigError(MakeError("site.unknown", a.config + ": no site \"" + a.site + "\""));
    }
    if (!site->settings) return ConfigError(site->settings.error());
    if (site->settings->idp_metadata_url.empty()) {
      return ConfigError(MakeError("config.missing_key", site->settings->source_path +
                                                             ": [sso] idp_metadata_url is not "
                                                             "set, so there is nothing to fetch"));
    }
    chosen.push_back(site);
  } else {
    for (const config::SiteConfig& site : platform->sites) {
      if (site.settings && !site.settings->idp_metadata_url.empty()) chosen.push_back(&site);
    }
    if (chosen.empty()) {
      std::cerr << "visitor-sso-admin: no site of " << a.config
                << " sets idp_metadata_url; nothing fetched\n";
      return kOk;
    }
  }
  store::DatabaseOptions options;
  options.password = platform->database_password;
  auto db = store::Database::Open(platform->database, options);
  if (!db) return ConfigError(db.error());

  int rc = kOk;
  for (const config::SiteConfig* site : chosen) {
    auto trusted = hooks::RefreshMetadata(*site->settings, *db, Now());
    if (!trusted) {
      std::cout << site->id << "\terror\t" << trusted.error().message << " ["
                << trusted.error().code << "]\n";
      rc = kCheckFailed;
      continue;
    }
    std::cout << site->id << "\tok\t" << trusted->row.entity_id << "\t"
              << trusted->parsed.metadata.signing_certificates.size() << "\t"
              << (trusted->row.valid_until != 0 ? Iso(trusted->row.valid_until) : "-") << "\t"
              << Iso(trusted->row.next_refresh_at) << "\n";
  }
  return rc;
}

}  // namespace vsso::admin
