// check-config CONFIG: loads the configuration as the plugin does
// (hooks::Sites::Load) and checks what loading alone does not refuse:
// shipped example keys, expired or expiring IdP certificates, warnings.
//
// A single-site file prints what it always printed, and a file that does
// not load is a configuration error (exit 2). A platform file prints one
// block per site; a broken site file fails the check (exit 1) with its file,
// key and problem, and only a platform-level failure is exit 2.
#include <iostream>
#include <string>

#include "cli.hpp"
#include "crypto/certificate.hpp"
#include "crypto/example_certificates.hpp"
#include "hooks/sites.hpp"

namespace vsso::admin {
namespace {

// A trusted certificate as the admin configured it: the idp_certificates
// file holding it, else (metadata, certs add) its fingerprint and subject.
std::string DescribeTrusted(const hooks::Runtime& rt, const crypto::Certificate& c) {
  for (const auto& path : rt.settings.idp_certificates) {
    auto certs = crypto::LoadCertificatesFile(path);
    if (!certs) continue;
    for (const auto& loaded : *certs) {
      if (loaded.sha256_fingerprint == c.sha256_fingerprint)
        return "[sso] idp_certificates " + path;
    }
  }
  return "the trusted IdP certificate " + c.sha256_fingerprint.substr(0, 16) + "... (" + c.subject +
         ")";
}

// The checks of one site that loaded, each finding one line after `indent`.
int CheckSite(const hooks::Runtime& rt, const std::string& indent) {
  using crypto::FindShippedExample;
  using crypto::ShippedExampleMessage;
  const auto& s = rt.settings;
  std::cout << indent << "sign_in: " << config::ToString(s.sign_in) << "\n"
            << indent << "idp: " << s.idp_entity_id << "\n"
            << indent << "certificates: " << rt.idp_certificates.size() << "\n"
            << indent << "mappings: " << s.mappings.size() << "\n"
            << indent << "routing rules: " << s.routing_rules.size() << "\n";
  // The loader's warnings, among them an acs_url whose path is not the
  // site's endpoint (a proxy may rewrite it, so only a warning).
  for (const auto& warning : s.warnings) std::cout << indent << "warning: " << warning << "\n";

  // Example key material (config/certs/, private keys published): the
  // plugin still loads it so the examples run, but a deployment must not pass.
  int result = kOk;
  auto fail = [&](const std::string& message) {
    std::cout << indent << "error: " << message << "\n";
    result = kCheckFailed;
  };
  for (const auto& c : rt.idp_certificates) {
    if (const auto* example = FindShippedExample(c)) {
      fail(ShippedExampleMessage(DescribeTrusted(rt, c), *example, true));
    }
  }
  if (rt.sp_certificate) {
    if (const auto* example = FindShippedExample(*rt.sp_certificate)) {
      fail(ShippedExampleMessage("[sso] sp_certificate " + s.sp_certificate, *example, false));
    }
  }
  if (rt.sp_private_key) {
    if (const auto* example = FindShippedExample(*rt.sp_private_key)) {
      fail(ShippedExampleMessage("[sso] sp_private_key " + s.sp_private_key, *example, false));
    }
  }
  const auto now = Now();
  for (const auto& c : rt.idp_certificates) {
    if (c.not_after < now) {
      fail("IdP certificate " + c.sha256_fingerprint.substr(0, 16) + " (" + c.subject +
           ") expired at " + Iso(c.not_after));
    } else if (c.not_after - now < kExpiryWarning) {
      std::cout << indent << "warning: IdP certificate " << c.sha256_fingerprint.substr(0, 16)
                << " (" << c.subject << ") expires at " << Iso(c.not_after) << "\n";
    }
  }
  return result;
}

int CheckPlatform(const hooks::Sites& sites) {
  const auto& platform = sites.config();
  std::cout << "config: " << platform.source_path << " loaded (platform: " << sites.size()
            << " sites in " << platform.sites_dir << ", database " << platform.database << ")\n";
  for (const auto& warning : platform.warnings) std::cout << "warning: " << warning << "\n";
  int result = kOk;
  std::string broken;
  for (const hooks::Site* site : sites.sorted()) {
    std::cout << "site " << site->id << ": " << site->config_path << "\n";
    if (site->broken()) {
      // Served as a broken site: its required chats are refused, its
      // optional or none chats proceed as guests (docs/configuration.md).
      if (site->intended_policy) {
        std::cout << "  sign_in: " << config::ToString(*site->intended_policy)
                  << " (not served while broken)\n";
      }
      std::cout << "  error: " << site->error.message << " [" << site->error.code << "]\n";
      broken += (broken.empty() ? "" : ", ") + site->id;
      result = kCheckFailed;
      continue;
    }
    if (CheckSite(*site->runtime, "  ") != kOk) result = kCheckFailed;
  }
  if (!broken.empty()) std::cout << "broken sites: " << broken << "\n";
  return result;
}

}  // namespace

int CheckConfig(const Args& a) {
  const std::string path = a.positional.size() > 1 ? a.positional[1] : a.config;
  if (path.empty()) return Usage("check-config needs a CONFIG file");
  if (int rc = RefuseSite(a, "check-config"); rc != kOk) return rc;
  auto sites = hooks::Sites::Load(path, 0, nullptr);
  if (!sites) return ConfigError(sites.error());
  if (!(*sites)->config().single_site) return CheckPlatform(**sites);

  // The single-site form, exactly as before platforms: a file that does not
  // load is a configuration error.
  const hooks::Site* site = (*sites)->Find(config::kDefaultSiteId);
  if (site == nullptr) {
    return ConfigError(MakeError("site.unknown", path + ": no site \"default\""));
  }
  if (site->broken()) return ConfigError(site->error);
  std::cout << "config: " << path << " loaded\n";
  return CheckSite(*site->runtime, "");
}

}  // namespace vsso::admin
