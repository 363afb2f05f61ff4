// Everything one site needs at run time: its settings, the store (shared by
// every site of the platform, every query scoped by the site's ID), the
// active IdP certificates, the SP key, the routing rules. Built by Configure
// (hooks/sites.hpp, one per site) and by the admin CLI from the same files,
// so both run the same code path.
//
// Threading: immutable after Build except through the store, which is
// internally synchronised; share it with std::shared_ptr<const Runtime>.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "config/settings.hpp"
#include "crypto/certificate.hpp"
#include "routing/rules.hpp"
#include "saml/response_validator.hpp"
#include "store/database.hpp"

namespace vsso::hooks {

struct Runtime {
  config::Settings settings;
  std::shared_ptr<store::Database> db;
  /// Active IdP certificates (config and admin-added), as synced into SQLite;
  /// shared with every ValidationContext, never copied.
  saml::CertificateSet idp_certificates;
  std::optional<crypto::PrivateKey> sp_private_key;
  std::optional<crypto::Certificate> sp_certificate;
  /// [routing], compiled and checked against the known chat fields.
  routing::RuleSet routing;
  /// Non-zero: the clock is pinned (scenario runs, admin "was it valid then?").
  UnixSeconds fixed_now = 0;

  /// [sso] idp_metadata_url: the stored copy this Runtime trusts.
  struct UrlMetadata {
    /// Identifies the stored copy (idp_metadata.fetched_at): when the store
    /// holds another, a refresh here or on another node, the site rebuilds.
    UnixSeconds fetched_at = 0;
    UnixSeconds valid_until = 0;  ///< 0: none
    /// The site's settings as its file gave them, before the metadata filled
    /// idp_* in: what a rebuild starts from.
    std::shared_ptr<const config::Settings> file_settings;
  };
  std::optional<UrlMetadata> url_metadata;

  UnixSeconds Now() const;

  /// The path of one of this site's endpoints ("acs", "login", ...):
  /// "/sso/<site>/<endpoint>", or "/sso/<endpoint>" for the default site.
  std::string EndpointPath(std::string_view endpoint) const;

  /// One site of a loaded configuration: applies IdP metadata, loads keys
  /// and certificates, compiles routing, syncs certificates and mappings
  /// into `db` under the site's ID. Errors name the site's file and key.
  static Result<std::shared_ptr<Runtime>> Build(config::Settings settings,
                                                std::shared_ptr<store::Database> db,
                                                UnixSeconds fixed_now);

  /// For the admin CLI, tools and tests: loads `config_path` (a platform
  /// file or a single-site file), opens its database (migrations) and builds
  /// the site `site_id`. A broken site's error; "site.unknown" when the
  /// configuration has no such site.
  static Result<std::shared_ptr<Runtime>> Build(const std::string& config_path,
                                                UnixSeconds fixed_now,
                                                std::string_view site_id = "default");
};

}  // namespace vsso::hooks
