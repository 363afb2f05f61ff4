// A complete SP deployment on disk for black-box and hook tests: an INI
// config naming the test IdP (support/test_idp.hpp), its certificate, the SP
// key pair, and a SQLite database, all in a fresh temp directory.
#pragma once

#include <filesystem>
#include <string>

#include "support/test_keys.hpp"

namespace vsso::testing {

struct DeploymentOptions {
  bool enabled = true;
  std::string sign_in = "required";
  bool allow_idp_initiated = false;
  bool allow_sha1 = false;
  /// Lines appended to [sso] (e.g. "customer_id_attribute = uid").
  std::string extra_sso;
  /// The [mapping] section body.
  std::string mapping =
      "name = displayName | urn:oid:2.16.840.1.113730.3.1.241\n"
      "email = mail\n"
      "company = company\n"
      "prechat:Account Number = accountNumber\n"
      "variable:membership_level = membership_level\n";
  /// The [routing] section body.
  std::string routing =
      "rule.1 = variable:membership_level == gold -> Gold Team\n"
      "rule.2 = company in (Acme, Globex) and department != Sales -> Key Accounts\n"
      "rule.3 = email ends_with @example.org -> Internal\n"
      "default = General\n";
};

class Deployment {
 public:
  explicit Deployment(const DeploymentOptions& options = {});
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::filesystem::path config() const { return dir_.path() / "visitor-sso.ini"; }
  std::filesystem::path database() const { return dir_.path() / "visitor-sso.db"; }

 private:
  TempDir dir_;
};

/// Copies `from`, the repository's config/ (the shipped examples and their
/// certificates), into `to`, leaving out the databases a demo or an older
/// build left there (`*.db`, `*.db-wal`, `*.db-shm`, ignored by git): the
/// examples' store path is relative to the config file, so a test that
/// configures them must run on a copy, and a copy must start without a
/// store whose schema may belong to another build.
void CopyShippedConfig(const std::filesystem::path& from, const std::filesystem::path& to);

}  // namespace vsso::testing
