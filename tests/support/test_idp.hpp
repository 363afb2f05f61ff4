// A test identity provider: builds SAML 2.0 Responses as an IdP would post
// them (SAML Core 3.2.2, 2.3.3), signs them with xmlsec (XML-DSig enveloped
// signatures, SAML Core 5.4), and encrypts assertions to the SP (SAML Core
// 2.3.4, XML-Enc). Every step works on XML strings so attack tests can cut,
// move and re-sign pieces between steps.
//
// Uses the plugin's vsso::saml::InitializeXmlLibraries() so libxml2/xmlsec are
// initialised exactly once per process; link vsso_saml when using this file.
// Threading: the functions are re-entrant; MemoryReplayGuard is thread-safe.
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "saml/response_validator.hpp"
#include "support/test_keys.hpp"

namespace vsso::testing {

// ---- Algorithm identifiers (XML-DSig, XML-DSig more, XML-Enc) --------------
inline constexpr const char* kRsaSha1 = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
inline constexpr const char* kRsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
inline constexpr const char* kRsaSha384 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha384";
inline constexpr const char* kRsaSha512 = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha512";
inline constexpr const char* kEcdsaSha256 = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
inline constexpr const char* kHmacSha256 = "http://www.w3.org/2001/04/xmldsig-more#hmac-sha256";
inline constexpr const char* kSha1 = "http://www.w3.org/2000/09/xmldsig#sha1";
inline constexpr const char* kSha256 = "http://www.w3.org/2001/04/xmlenc#sha256";
inline constexpr const char* kSha384 = "http://www.w3.org/2001/04/xmldsig-more#sha384";
inline constexpr const char* kSha512 = "http://www.w3.org/2001/04/xmlenc#sha512";
inline constexpr const char* kExcC14n = "http://www.w3.org/2001/10/xml-exc-c14n#";
inline constexpr const char* kExcC14nWithComments =
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";
inline constexpr const char* kInclC14n = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
inline constexpr const char* kRsaOaepMgf1p = "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p";
inline constexpr const char* kRsaOaep11 = "http://www.w3.org/2009/xmlenc11#rsa-oaep";
inline constexpr const char* kRsa15 = "http://www.w3.org/2001/04/xmlenc#rsa-1_5";
inline constexpr const char* kAes128Cbc = "http://www.w3.org/2001/04/xmlenc#aes128-cbc";
inline constexpr const char* kAes256Cbc = "http://www.w3.org/2001/04/xmlenc#aes256-cbc";
inline constexpr const char* kAes128Gcm = "http://www.w3.org/2009/xmlenc11#aes128-gcm";
inline constexpr const char* kAes256Gcm = "http://www.w3.org/2009/xmlenc11#aes256-gcm";

inline constexpr const char* kProtocolNs = "urn:oasis:names:tc:SAML:2.0:protocol";
inline constexpr const char* kAssertionNs = "urn:oasis:names:tc:SAML:2.0:assertion";
inline constexpr const char* kStatusSuccess = "urn:oasis:names:tc:SAML:2.0:status:Success";
inline constexpr const char* kNameIdEmail =
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";

// ---- The deployment the test IdP talks to ----------------------------------
inline constexpr const char* kIdpEntityId = "https://idp.example.org/saml2/idp/metadata.php";
inline constexpr const char* kSpEntityId = "https://chat.example.com/sso/metadata";
inline constexpr const char* kAcsUrl = "https://chat.example.com/sso/acs";
inline constexpr const char* kRequestId = "_req-5f0c2a9e41d84b7c9a61e0f3d2b8c4a7";
/// "Now" of every test (2027-01-15T08:00:00Z); certificates are valid then.
inline constexpr UnixSeconds kTestNow = 1'800'000'000;

/// ISO 8601 UTC "2027-01-15T08:00:00Z" (SAML Core 1.3.3 xs:dateTime).
std::string FormatInstant(UnixSeconds t);
/// "_" + 32 random hex digits (xs:ID must start with a letter or '_').
std::string RandomId();
/// `s` escaped for an XML attribute value or text (&, <, >, ", CR, LF, TAB).
std::string EscapeAttr(std::string_view s);
/// ` name="value"`, the value escaped.
std::string Attr(const char* name, std::string_view value);

enum class KeyInfoMode {
  kNone,             ///< no ds:KeyInfo at all
  kX509Certificate,  ///< ds:X509Data/ds:X509Certificate of key_info_certificate
  kKeyValue,         ///< bare ds:KeyValue (RSAKeyValue/ECKeyValue) of the signing key
};

enum class ExtraTransform { kNone, kXPath, kXslt };

struct SignOptions {
  /// Signs with this key. Required unless hmac_key is set.
  const TestKey* key = &IdpRsaKey();
  /// Empty: rsa-sha256 or ecdsa-sha256 according to the key.
  std::string signature_method;
  std::string digest_method = kSha256;
  /// Used for SignedInfo and as the Reference's second transform.
  std::string c14n_method = kExcC14n;
  KeyInfoMode key_info = KeyInfoMode::kX509Certificate;
  /// Certificate written into X509Data; default: the signing key's own.
  const TestKey* key_info_certificate = nullptr;
  /// Reference URI; default "#" + the signed element's ID.
  std::optional<std::string> reference_uri;
  /// Appended to the Reference's transforms (enveloped, c14n, this).
  ExtraTransform extra_transform = ExtraTransform::kNone;
  /// Sign with HMAC-SHA256 keyed with these bytes instead of `key`.
  std::optional<std::string> hmac_key;

  // Fluent setters (designated initialisers trip -Wmissing-field-initializers).
  SignOptions& WithKey(const TestKey& k) {
    key = &k;
    return *this;
  }
  SignOptions& WithAlgorithms(std::string signature, std::string digest) {
    signature_method = std::move(signature);
    digest_method = std::move(digest);
    return *this;
  }
  SignOptions& WithC14n(std::string method) {
    c14n_method = std::move(method);
    return *this;
  }
  SignOptions& WithKeyInfo(KeyInfoMode mode, const TestKey* certificate = nullptr) {
    key_info = mode;
    key_info_certificate = certificate;
    return *this;
  }
  SignOptions& WithReferenceUri(std::string uri) {
    reference_uri = std::move(uri);
    return *this;
  }
  SignOptions& WithExtraTransform(ExtraTransform transform) {
    extra_transform = transform;
    return *this;
  }
  SignOptions& WithHmacKey(std::string bytes) {
    key = nullptr;
    key_info = KeyInfoMode::kNone;
    hmac_key = std::move(bytes);
    return *this;
  }
};

/// Parses `xml`, registers every `ID` attribute, puts an enveloped
/// ds:Signature into the element whose ID is `element_id` (right after its
/// Issuer child, else as its first child, as SAML schemas order it), signs
/// it and serialises the document. Throws std::runtime_error on failure.
std::string SignXmlString(const std::string& xml, const std::string& element_id,
                          const SignOptions& options = {});

struct EncryptOptions {
  const TestKey* recipient = &SpKey();
  std::string key_transport = kRsaOaepMgf1p;  ///< kRsaOaepMgf1p, kRsaOaep11 or kRsa15
  std::string data_algorithm = kAes256Cbc;

  EncryptOptions& WithRecipient(const TestKey& k) {
    recipient = &k;
    return *this;
  }
  EncryptOptions& WithAlgorithms(std::string transport, std::string data) {
    key_transport = std::move(transport);
    data_algorithm = std::move(data);
    return *this;
  }
};

/// Replaces the (first) saml:Assertion of `xml` by a saml:EncryptedAssertion
/// holding xenc:EncryptedData with the EncryptedKey in its KeyInfo.
/// Throws std::runtime_error on failure.
std::string EncryptAssertionString(const std::string& xml, const EncryptOptions& options = {});

/// Replaces the (first) saml:NameID of `xml` by a saml:EncryptedID (SAML Core
/// 2.2.4) built the same way. Throws std::runtime_error on failure.
std::string EncryptNameIdString(const std::string& xml, const EncryptOptions& options = {});

struct AttributeSpec {
  AttributeSpec(std::string name_, std::vector<std::string> values_,
                std::string friendly_name_ = "",
                std::string name_format_ = "urn:oasis:names:tc:SAML:2.0:attrname-format:uri")
      : name(std::move(name_)),
        values(std::move(values_)),
        friendly_name(std::move(friendly_name_)),
        name_format(std::move(name_format_)) {}
  std::string name;
  std::vector<std::string> values;
  std::string friendly_name;
  std::string name_format;
};

/// A SAML Response from kIdpEntityId to kSpEntityId answering kRequestId at
/// kTestNow, assertion signed with IdpRsaKey(), unless told otherwise.
class ResponseBuilder {
 public:
  ResponseBuilder();

  // Identifiers and envelope.
  ResponseBuilder& ResponseId(std::string id);
  ResponseBuilder& AssertionId(std::string id);
  ResponseBuilder& IssueInstant(UnixSeconds t);
  ResponseBuilder& ResponseIssuer(std::optional<std::string> issuer);  ///< nullopt: omitted
  ResponseBuilder& AssertionIssuer(std::string issuer);
  ResponseBuilder& Destination(std::optional<std::string> destination);
  ResponseBuilder& InResponseTo(std::optional<std::string> request_id);  ///< Response + bearer
  ResponseBuilder& Status(std::string code, std::string message = "",
                          std::string second_level_code = "");
  /// Raw XML put into samlp:Extensions (omitted when empty).
  ResponseBuilder& ExtensionsXml(std::string xml);
  // Subject.
  ResponseBuilder& NameId(std::string value, std::string format = kNameIdEmail);
  /// NameID NameQualifier and SPNameQualifier (nullopt: omitted); by default
  /// none, and the first Audience (kSpEntityId unless AudienceRestriction
  /// changed it), as an IdP issues a NameID to the SP it addresses.
  ResponseBuilder& NameIdQualifiers(std::optional<std::string> name_qualifier,
                                    std::optional<std::string> sp_name_qualifier);
  /// Sends the NameID as an EncryptedID, encrypted before the assertion is
  /// signed (nullopt: plain).
  ResponseBuilder& EncryptNameId(std::optional<EncryptOptions> options);
  ResponseBuilder& Recipient(std::string recipient);
  ResponseBuilder& SubjectNotOnOrAfter(UnixSeconds t);
  ResponseBuilder& SubjectInResponseTo(std::optional<std::string> request_id);
  // Conditions.
  ResponseBuilder& NotBefore(UnixSeconds t);
  ResponseBuilder& NotOnOrAfter(UnixSeconds t);
  /// One AudienceRestriction per call; the default one is replaced by the first call.
  ResponseBuilder& AudienceRestriction(std::vector<std::string> audiences);
  // AuthnStatement.
  ResponseBuilder& SessionIndex(std::string index);
  ResponseBuilder& SessionNotOnOrAfter(std::optional<UnixSeconds> t);
  // Attributes, in document order.
  ResponseBuilder& Attribute(AttributeSpec attribute);
  /// Namespace prefixes; "" puts the namespace in the default namespace.
  ResponseBuilder& Prefixes(std::string protocol_prefix, std::string assertion_prefix);

  // Protection.
  ResponseBuilder& SignAssertion(std::optional<SignOptions> options);  ///< nullopt: unsigned
  ResponseBuilder& SignResponse(std::optional<SignOptions> options);   ///< nullopt: unsigned
  ResponseBuilder& Encrypt(std::optional<EncryptOptions> options);     ///< nullopt: plain
  /// Edits the unsigned XML text before anything is signed (e.g. to put a
  /// comment into the NameID that the signature then covers).
  ResponseBuilder& BeforeSigning(std::function<void(std::string&)> edit);

  const std::string& response_id() const { return response_id_; }
  const std::string& assertion_id() const { return assertion_id_; }

  /// The unsigned, unencrypted XML.
  std::string BuildUnsigned() const;
  /// Encrypts the NameID, signs (assertion), encrypts, signs (response), in
  /// that order.
  /// Throws std::runtime_error if xmlsec fails.
  std::string Build() const;

 private:
  std::string response_id_;
  std::string assertion_id_;
  UnixSeconds issue_instant_ = kTestNow;
  std::optional<std::string> response_issuer_ = kIdpEntityId;
  std::string assertion_issuer_ = kIdpEntityId;
  std::optional<std::string> destination_ = kAcsUrl;
  std::optional<std::string> in_response_to_ = kRequestId;
  std::optional<std::string> subject_in_response_to_ = kRequestId;
  std::string status_code_ = kStatusSuccess;
  std::string status_message_;
  std::string second_status_code_;
  std::string extensions_xml_;
  std::string name_id_ = "alice@example.org";
  std::string name_id_format_ = kNameIdEmail;
  std::optional<std::string> name_qualifier_;
  std::optional<std::string> sp_name_qualifier_;
  bool sp_name_qualifier_set_ = false;  ///< else it follows the first Audience
  std::optional<EncryptOptions> encrypt_name_id_;
  std::string recipient_ = kAcsUrl;
  UnixSeconds subject_not_on_or_after_ = kTestNow + 300;
  UnixSeconds not_before_ = kTestNow - 30;
  UnixSeconds not_on_or_after_ = kTestNow + 300;
  std::vector<std::vector<std::string>> audiences_{{kSpEntityId}};
  bool audiences_replaced_ = false;
  std::string session_index_ = "_session-7d1e3c";
  std::optional<UnixSeconds> session_not_on_or_after_ = kTestNow + 8 * 3600;
  std::vector<AttributeSpec> attributes_;
  std::string protocol_prefix_ = "samlp";
  std::string assertion_prefix_ = "saml";
  std::optional<SignOptions> sign_assertion_ = SignOptions{};
  std::optional<SignOptions> sign_response_;
  std::optional<EncryptOptions> encrypt_;
  std::vector<std::function<void(std::string&)>> edits_;
};

// ---- String surgery for attack tests ----------------------------------------

/// Byte range [begin, end) of the n-th (0-based) element whose start tag is
/// `<qname` (followed by space, '>' or '/'), up to its matching end tag.
/// Handles nesting of the same name. Throws std::runtime_error if absent.
std::pair<std::size_t, std::size_t> ElementRange(const std::string& xml, const std::string& qname,
                                                 std::size_t n = 0);
/// Text of that element (start tag to end tag inclusive).
std::string ExtractElement(const std::string& xml, const std::string& qname, std::size_t n = 0);
/// xml with that element removed.
std::string RemoveElement(const std::string& xml, const std::string& qname, std::size_t n = 0);
/// Replaces the first occurrence of `from` (throws if absent).
std::string ReplaceFirst(std::string xml, const std::string& from, const std::string& to);
/// Replaces every occurrence of `from` (throws if absent).
std::string ReplaceAll(std::string xml, const std::string& from, const std::string& to);
/// Inserts `insertion` right after the end of the start tag of the first `<qname`.
std::string InsertAfterStartTag(const std::string& xml, const std::string& qname,
                                const std::string& insertion);
/// Inserts `insertion` right before the first occurrence of `marker`.
std::string InsertBefore(const std::string& xml, const std::string& marker,
                         const std::string& insertion);

// ---- Validator side ---------------------------------------------------------

/// Thread-safe in-memory replay guard: first use of (issuer, id) is true.
class MemoryReplayGuard : public saml::ReplayGuard {
 public:
  Result<bool> FirstUse(const std::string& assertion_id, const std::string& issuer,
                        UnixSeconds keep_until, UnixSeconds now) override;

 private:
  std::mutex mutex_;
  std::set<std::pair<std::string, std::string>> seen_;
};

/// A context that accepts what ResponseBuilder produces by default: IdP cert
/// IdpRsaKey(), SP key SpKey(), kTestNow, kRequestId outstanding.
saml::ValidationContext DefaultContext(saml::ReplayGuard* replay);

}  // namespace vsso::testing
