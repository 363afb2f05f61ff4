// Everything one loaded configuration needs at run time: the settings, the
// store, the active IdP certificates, the SP key. Built by Configure and by
// the admin CLI from the same config file, so both run the same code path.
//
// Threading: immutable after Build except through the store, which is
// internally synchronised; share it with std::shared_ptr<const Runtime>.
#pragma once

#include <memory>
#include <optional>
#include <string>
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

  UnixSeconds Now() const;

  /// Reads and validates `config_path`, applies IdP metadata, opens the
  /// database (migrations), syncs certificates and mappings, loads keys.
  static Result<std::shared_ptr<Runtime>> Build(const std::string& config_path,
                                                UnixSeconds fixed_now);
};

}  // namespace vsso::hooks
