#include "support/deployment.hpp"

#include <fstream>
#include <stdexcept>
#include <string>

#include "support/test_idp.hpp"

namespace vsso::testing {

Deployment::Deployment(const DeploymentOptions& options) {
  IdpRsaKey().WriteTo(dir(), "idp");
  SpKey().WriteTo(dir(), "sp");
  std::ofstream out(config());
  out << "[sso]\n"
      << "enabled = " << (options.enabled ? "true" : "false") << "\n"
      << "sign_in = " << options.sign_in << "\n"
      << "sp_entity_id = " << kSpEntityId << "\n"
      << "acs_url = " << kAcsUrl << "\n"
      << "idp_entity_id = " << kIdpEntityId << "\n"
      << "idp_sign_in_url = https://idp.example.org/saml2/idp/SSOService.php\n"
      << "idp_certificates = idp.crt\n"
      << "sp_private_key = sp.key\n"
      << "sp_certificate = sp.crt\n"
      << "clock_skew_seconds = 120\n"
      << "allow_idp_initiated = " << (options.allow_idp_initiated ? "true" : "false") << "\n"
      << "allow_sha1 = " << (options.allow_sha1 ? "true" : "false") << "\n"
      << "session_lifetime_seconds = 28800\n"
      << "database = visitor-sso.db\n"
      << options.extra_sso << "\n[mapping]\n"
      << options.mapping << "\n[routing]\n"
      << options.routing;
  if (!out) throw std::runtime_error("cannot write " + config().string());
}

void CopyShippedConfig(const std::filesystem::path& from, const std::filesystem::path& to) {
  namespace fs = std::filesystem;
  for (const auto& entry : fs::recursive_directory_iterator(from)) {
    const fs::path target = to / fs::relative(entry.path(), from);
    if (entry.is_directory()) {
      fs::create_directories(target);
      continue;
    }
    const std::string name = entry.path().filename().string();
    if (name.ends_with(".db") || name.ends_with(".db-wal") || name.ends_with(".db-shm")) continue;
    fs::create_directories(target.parent_path());
    fs::copy_file(entry.path(), target);
  }
}

}  // namespace vsso::testing
