// IdP signing certificates trusted by the plugin: those listed in the config
// file (source "config", synced at every Configure) and those an admin added
// with visitor-sso-admin (source "admin"). Removed certificates are kept,
// inactive, so "which certificate signed this last month?" stays answerable.
// Each site trusts its own IdP: a repository is the view of one site
// (issue 12), and a certificate trusted by one site means nothing to another
// (the same certificate may be stored once per site).
//
// Threading: a light handle over a shared Database; safe from any thread.
// Errors: "store.query_failed", "store.bad_source", "store.bad_fingerprint",
// "store.certificate_unknown", "store.certificate_ambiguous", and the
// crypto.* code if a stored PEM no longer parses.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "crypto/certificate.hpp"
#include "store/database.hpp"

namespace vsso::store {

struct CertificateRow {
  std::string fingerprint;  ///< lower-case hex SHA-256 of the DER
  std::string pem;
  std::string subject;
  std::string issuer;
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
  UnixSeconds added_at = 0;
  std::string source;  ///< "config" | "admin"
  bool active = true;
  UnixSeconds removed_at = 0;  ///< 0 while active
};

struct SyncSummary {
  int added = 0;        ///< new rows
  int reactivated = 0;  ///< inactive rows listed again
  int deactivated = 0;  ///< config rows no longer listed
  int unchanged = 0;    ///< listed and already active
};

class CertificateRepository {
 public:
  CertificateRepository(std::shared_ptr<Database> db, std::string site_id)
      : db_(std::move(db)), site_id_(std::move(site_id)) {}

  /// Makes the active "config" certificates exactly `configured`, in one
  /// transaction. Idempotent: the same list twice reports only `unchanged`.
  /// Rows with source "admin" are never deactivated here; an inactive row
  /// that is listed again becomes active with source "config".
  Result<SyncSummary> SyncConfigCertificates(const std::vector<crypto::Certificate>& configured,
                                             UnixSeconds now);
  /// Adds (or reactivates) one certificate. Adding an active certificate
  /// again returns its row unchanged. `source` is "config" or "admin".
  Result<CertificateRow> Add(const crypto::Certificate& certificate, std::string source,
                             UnixSeconds now);
  /// Deactivates the certificate whose fingerprint starts with
  /// `fingerprint_or_prefix` (hex, case and ':' separators ignored).
  /// true: deactivated now; false: it was already inactive. No match:
  /// "store.certificate_unknown"; several: "store.certificate_ambiguous".
  /// A certificate still listed in the config file returns at the next sync.
  Result<bool> Remove(const std::string& fingerprint_or_prefix, UnixSeconds now);
  /// Active rows first, then by added_at and fingerprint.
  Result<std::vector<CertificateRow>> List(bool include_inactive);
  /// The active certificates, re-parsed from their stored PEM.
  Result<std::vector<crypto::Certificate>> ActiveCertificates();
  const std::string& site_id() const { return site_id_; }

 private:
  std::shared_ptr<Database> db_;
  std::string site_id_;
};

}  // namespace vsso::store
