#include "hooks/runtime.hpp"

#include <ctime>
#include <fstream>
#include <sstream>

#include "config/platform.hpp"
#include "hooks/idp_metadata_source.hpp"
#include "saml/metadata.hpp"
#include "store/certificate_repository.hpp"
#include "store/mapping_repository.hpp"

namespace vsso::hooks {
namespace {

Result<std::string> ReadFile(const std::string& path, const std::string& key) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return MakeError("config.file_unreadable", key + ": cannot read " + path);
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

// The IdP's Redirect-binding SingleLogoutService, unless idp_logout_url set
// one (then both requests and responses go there).
void ApplyLogoutEndpoint(config::Settings& settings, const saml::IdpMetadata& md) {
  if (!settings.idp_logout_url.empty()) return;
  settings.idp_logout_url = md.slo_redirect_url;
  settings.idp_logout_response_url = md.slo_redirect_response_url;
}

// idp_metadata fills the idp_* keys the admin left empty; configured
// certificate files and metadata certificates are both trusted.
Status ApplyMetadata(config::Settings& settings, std::vector<crypto::Certificate>& certs) {
  if (settings.idp_metadata.empty()) return Ok();
  auto xml = ReadFile(settings.idp_metadata, "[sso] idp_metadata");
  if (!xml) return std::move(xml).error();
  auto md = saml::ParseIdpMetadata(*xml, settings.idp_metadata);
  if (!md) {
    return MakeError(md.error().code,
                     settings.source_path + ": [sso] idp_metadata: " + md.error().message);
  }
  if (settings.idp_entity_id.empty()) settings.idp_entity_id = md->entity_id;
  if (settings.idp_sign_in_url.empty()) settings.idp_sign_in_url = md->sso_redirect_url;
  ApplyLogoutEndpoint(settings, *md);
  for (auto& cert : md->signing_certificates) certs.push_back(std::move(cert));
  return Ok();
}

// idp_metadata_url: the stored good copy, or one fetched now (bounded by
// the fetcher's timeouts); like idp_metadata, it fills what the admin left
// empty. The metadata's certificates are trusted as configured ones.
Status ApplyUrlMetadata(Runtime& rt, std::vector<crypto::Certificate>& certs) {
  if (rt.settings.idp_metadata_url.empty()) return Ok();
  auto file_settings = std::make_shared<const config::Settings>(rt.settings);
  auto trusted = StoredOrFetchedMetadata(rt.settings, rt.db, rt.Now());
  if (!trusted) {
    return MakeError(trusted.error().code, rt.settings.source_path + ": [sso] idp_metadata_url: " +
                                               trusted.error().message);
  }
  saml::IdpMetadata& md = trusted->parsed.metadata;
  if (rt.settings.idp_entity_id.empty()) rt.settings.idp_entity_id = md.entity_id;
  if (rt.settings.idp_sign_in_url.empty()) rt.settings.idp_sign_in_url = md.sso_redirect_url;
  ApplyLogoutEndpoint(rt.settings, md);
  for (auto& cert : md.signing_certificates) certs.push_back(std::move(cert));
  rt.url_metadata = Runtime::UrlMetadata{trusted->row.fetched_at, trusted->row.valid_until,
                                         std::move(file_settings)};
  return Ok();
}

}  // namespace

UnixSeconds Runtime::Now() const {
  return fixed_now != 0 ? fixed_now : static_cast<UnixSeconds>(std::time(nullptr));
}

std::string Runtime::EndpointPath(std::string_view endpoint) const {
  return config::SiteEndpointPath(settings.site_id, endpoint);
}

Result<std::shared_ptr<Runtime>> Runtime::Build(const std::string& config_path,
                                                UnixSeconds fixed_now, std::string_view site_id) {
  auto platform = config::LoadPlatform(config_path);
  if (!platform) return std::move(platform).error();
  const config::SiteConfig* site = platform->Find(site_id);
  if (site == nullptr) {
    return MakeError("site.unknown", config_path + ": no site \"" + std::string(site_id) + "\" (" +
                                         std::to_string(platform->sites.size()) +
                                         " sites; see `visitor-sso-admin sites list`)");
  }
  if (!site->settings) return site->settings.error();
  store::DatabaseOptions options;
  options.password = platform->database_password;
  auto db = store::Database::Open(platform->database, options);
  if (!db) return std::move(db).error();
  return Build(*site->settings, std::move(*db), fixed_now);
}

Result<std::shared_ptr<Runtime>> Runtime::Build(config::Settings settings,
                                                std::shared_ptr<store::Database> db,
                                                UnixSeconds fixed_now) {
  auto rt = std::make_shared<Runtime>();
  rt->settings = std::move(settings);
  rt->fixed_now = fixed_now;
  rt->db = std::move(db);

  std::vector<crypto::Certificate> configured;
  for (const auto& path : rt->settings.idp_certificates) {
    auto certs = crypto::LoadCertificatesFile(path);
    if (!certs) {
      return MakeError(certs.error().code, rt->settings.source_path + ": [sso] idp_certificates: " +
                                               certs.error().message);
    }
    for (auto& c : *certs) configured.push_back(std::move(c));
  }
  if (auto st = ApplyMetadata(rt->settings, configured); !st) return std::move(st).error();
  if (auto st = ApplyUrlMetadata(*rt, configured); !st) return std::move(st).error();
  // Metadata 2.2.2: without a ResponseLocation, responses go to Location.
  if (rt->settings.idp_logout_response_url.empty()) {
    rt->settings.idp_logout_response_url = rt->settings.idp_logout_url;
  }

  if (!rt->settings.sp_private_key.empty()) {
    auto key = crypto::LoadPrivateKeyFile(rt->settings.sp_private_key);
    if (!key) {
      return MakeError(key.error().code,
                       rt->settings.source_path + ": [sso] sp_private_key: " + key.error().message);
    }
    rt->sp_private_key = std::move(*key);
  }
  if (!rt->settings.sp_certificate.empty()) {
    auto certs = crypto::LoadCertificatesFile(rt->settings.sp_certificate);
    if (!certs) {
      return MakeError(certs.error().code, rt->settings.source_path +
                                               ": [sso] sp_certificate: " + certs.error().message);
    }
    rt->sp_certificate = std::move(certs->front());
  }

  // Routing rules are checked at load: a rule naming an unknown field or
  // using a bad operator is a configuration error naming the rule.
  std::vector<std::string> known_fields{"name",  "email",      "company",
                                        "phone", "department", "product_service"};
  for (const auto& m : rt->settings.mappings) {
    if (m.field.find(':') != std::string::npos) known_fields.push_back(m.field);
  }
  std::vector<routing::RuleInput> rules;
  for (const auto& r : rt->settings.routing_rules) rules.push_back({r.name, r.order, r.text});
  auto compiled = routing::RuleSet::Compile(rules, rt->settings.routing_default, known_fields);
  if (!compiled) {
    return MakeError("config.invalid_value",
                     rt->settings.source_path + ": [routing] " + compiled.error().message);
  }
  rt->routing = std::move(*compiled);

  store::CertificateRepository cert_repo(rt->db, rt->settings.site_id);
  if (auto synced = cert_repo.SyncConfigCertificates(configured, rt->Now()); !synced) {
    return std::move(synced).error();
  }
  auto active = cert_repo.ActiveCertificates();
  if (!active) return std::move(active).error();
  rt->idp_certificates = std::move(*active);

  std::vector<store::MappingRow> rows;
  int position = 0;
  for (const auto& m : rt->settings.mappings) {
    rows.push_back(store::MappingRow{position++, m.field, m.attributes});
  }
  store::MappingRepository mapping_repo(rt->db, rt->settings.site_id);
  if (auto synced = mapping_repo.Sync(rows); !synced) return std::move(synced).error();
  return rt;
}

}  // namespace vsso::hooks
