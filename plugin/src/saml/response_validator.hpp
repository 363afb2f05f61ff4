// Web Browser SSO profile, HTTP-POST binding (SAML 2.0 Profiles 4.1,
// Bindings 3.5): from the posted XML bytes to a verified Identity, or the
// first precise failure of an ordered list of small rules (rules/*.hpp).
//
// Threading: ValidateResponse is re-entrant; call InitializeXmlLibraries()
// once per process first (it is idempotent and thread-safe).
#pragma once

#include <cstddef>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "crypto/certificate.hpp"

namespace vsso::saml {

struct Attribute {
  std::string name;  ///< SAML Name
  std::string friendly_name;
  std::string name_format;
  std::vector<std::string> values;  ///< every value, full text, document order
};

struct Identity {
  std::string response_id;
  std::string assertion_id;
  std::string issuer;   ///< Assertion Issuer
  std::string name_id;  ///< full text content of NameID (comments do not truncate it)
  std::string name_id_format;
  std::string name_qualifier;          ///< NameID NameQualifier; empty when absent
  std::string sp_name_qualifier;       ///< NameID SPNameQualifier (sp_entity_id or absent)
  bool name_id_was_encrypted = false;  ///< the Subject held an EncryptedID
  std::string session_index;
  std::string in_response_to;  ///< empty for IdP-initiated
  UnixSeconds issue_instant = 0;
  UnixSeconds authn_instant = 0;
  UnixSeconds session_not_on_or_after = 0;  ///< 0: the IdP set no bound
  /// Latest instant the assertion may still be replayed (min of Conditions and
  /// bearer SubjectConfirmationData NotOnOrAfter); the replay cache keeps the
  /// ID until this plus skew.
  UnixSeconds assertion_not_on_or_after = 0;
  bool was_encrypted = false;
  std::vector<Attribute> attributes;  ///< document order
};

/// Single-use record of assertion IDs (SAML Profiles 4.1.4.5). Implemented by
/// the store; must be atomic across threads and processes.
class ReplayGuard {
 public:
  virtual ~ReplayGuard() = default;
  /// true: first time this ID is seen (and it is now remembered until
  /// keep_until); false: replay. Error: the store failed (callers fail closed).
  virtual Result<bool> FirstUse(const std::string& assertion_id, const std::string& issuer,
                                UnixSeconds keep_until, UnixSeconds now) = 0;
};

/// The trusted IdP certificates, immutable and shared: a ValidationContext
/// built per response (and the Runtime it comes from) copies a pointer, not
/// the certificates.
class CertificateSet {
 public:
  CertificateSet() = default;
  CertificateSet(std::vector<crypto::Certificate> certificates)  // NOLINT: a list converts
      : certificates_(
            std::make_shared<const std::vector<crypto::Certificate>>(std::move(certificates))) {}
  CertificateSet(std::initializer_list<crypto::Certificate> certificates)
      : CertificateSet(std::vector<crypto::Certificate>(certificates)) {}

  bool empty() const { return size() == 0; }
  std::size_t size() const { return certificates_ ? certificates_->size() : 0; }
  const crypto::Certificate& operator[](std::size_t i) const { return (*certificates_)[i]; }
  const crypto::Certificate* begin() const { return empty() ? nullptr : certificates_->data(); }
  const crypto::Certificate* end() const { return begin() + size(); }
  void clear() { certificates_.reset(); }

 private:
  std::shared_ptr<const std::vector<crypto::Certificate>> certificates_;
};

struct ValidationContext {
  UnixSeconds now = 0;
  std::int64_t clock_skew_seconds = 120;
  std::string idp_entity_id;  ///< expected Issuer
  std::string sp_entity_id;   ///< expected Audience
  std::string acs_url;        ///< expected Destination and Recipient
  /// The outstanding AuthnRequest this response must answer (InResponseTo).
  /// nullopt: no request outstanding for this post (IdP-initiated).
  std::optional<std::string> expected_request_id;
  bool allow_unsolicited = false;  ///< allow_idp_initiated
  bool allow_sha1 = false;
  std::size_t max_response_bytes = 256 * 1024;
  /// Active IdP certificates; any one may have signed (rollover).
  CertificateSet idp_certificates;
  /// Decrypts EncryptedAssertion and EncryptedID; absent: both are refused.
  std::optional<crypto::PrivateKey> sp_private_key;
  /// Required: without it every response is refused ("saml.replay.unavailable").
  ReplayGuard* replay = nullptr;
};

void InitializeXmlLibraries();

/// What could be read of a response before (or regardless of) verification,
/// for the audit log of a rejection only: IDs and issuer as found, unverified.
/// Never use it to decide anything.
struct ResponseSummary {
  std::string response_id;
  std::string assertion_id;
  std::string issuer;
};

/// `xml` is the decoded SAMLResponse (the exact bytes that will be verified
/// and read). Error codes are "saml.<rule>.<cause>", see docs/errors.md.
/// If `summary` is given it is filled, on success and on rejection, with the
/// IDs and issuer as far as validation got (for the audit log only).
Result<Identity> ValidateResponse(std::string_view xml, const ValidationContext& context,
                                  ResponseSummary* summary = nullptr);

/// The SAMLResponse form value (base64, line breaks allowed) -> XML bytes.
/// Error "saml.binding.bad_base64".
Result<std::string> DecodePostedResponse(std::string_view form_value);

}  // namespace vsso::saml
