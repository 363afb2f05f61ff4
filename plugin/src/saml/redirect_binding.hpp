// The HTTP-Redirect binding (SAML Bindings 3.4) for logout messages, both
// ways: a message is DEFLATEd (raw, RFC 1951), base64-encoded and
// URL-encoded into SAMLRequest or SAMLResponse, and signed over
// "SAMLRequest=...&RelayState=...&SigAlg=..." built from the URL-encoded
// values in exactly that order (Bindings 3.4.4.1). A received query is
// checked over the octets as they arrived: the signed string is cut from the
// raw query, never re-encoded, so an encoding difference (lower-case hex, a
// '+' for a space) between signer and us cannot change what is verified and
// a re-encoded copy verifies only if its bytes are the ones signed.
//
// Stateless and re-entrant.
#pragma once

#include <openssl/evp.h>

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "crypto/certificate.hpp"
#include "saml/response_validator.hpp"

namespace vsso::saml {

inline constexpr char kRedirectRsaSha256[] = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
inline constexpr char kRedirectRsaSha1[] = "http://www.w3.org/2000/09/xmldsig#rsa-sha1";
inline constexpr char kRedirectEcdsaSha256[] =
    "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
/// Bindings 3.4.3: RelayState MUST NOT exceed 80 bytes.
inline constexpr std::size_t kMaxRedirectRelayState = 80;
/// Largest inflated logout message accepted: a LogoutRequest or
/// LogoutResponse is a few hundred bytes; the cap stops a DEFLATE bomb.
inline constexpr std::size_t kMaxInflatedLogoutMessage = 64 * 1024;

enum class RedirectKind { kRequest, kResponse };

struct EvpMdCtxFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

/// The first queued OpenSSL error as text (the queue is cleared), for
/// messages.
std::string OpenSslError();

/// The Bindings 3.4.4.1 signature over `signed_octets` with SHA-256 (RSA
/// PKCS#1 v1.5 or ECDSA, by the key's type), raw bytes. Shared by logout
/// messages and AuthnRequests; `error_code` is the caller's documented code
/// for a failure ("saml.logout.sign_failed", "saml.authn_request.sign_failed").
Result<std::string> SignRedirectSha256(EVP_PKEY* key, std::string_view signed_octets,
                                       const char* error_code);

/// `target_url` + SAMLRequest/SAMLResponse (deflated `xml`), RelayState when
/// non-empty, and SigAlg + Signature (rsa-sha256, or ecdsa-sha256 for an EC
/// key) when `key` is given. Errors "saml.logout.<cause>": relay_state_too_long,
/// bad_destination (not an http(s) URL), unsupported_key, sign_failed, and
/// "common.deflate_failed".
Result<std::string> EncodeRedirect(std::string_view target_url, RedirectKind kind,
                                   std::string_view xml, std::string_view relay_state,
                                   const crypto::PrivateKey* key);

/// A received Redirect-binding message, decoded but not yet verified.
struct RedirectMessage {
  RedirectKind kind = RedirectKind::kRequest;
  std::string xml;          ///< the inflated message
  std::string relay_state;  ///< URL-decoded; empty when absent
  std::string sig_alg;      ///< URL-decoded; empty when the query is unsigned
  std::string signature;    ///< base64-decoded signature bytes
  /// "SAMLRequest=<raw>[&RelayState=<raw>]&SigAlg=<raw>" cut from the query
  /// as received; empty when unsigned.
  std::string signed_octets;
  bool is_signed() const { return !sig_alg.empty(); }
};

/// Splits and decodes `query` (with or without a leading '?'). Errors
/// "saml.logout.<cause>": bad_query, duplicate_param, missing_message
/// (neither or both of SAMLRequest and SAMLResponse), partial_signature
/// (SigAlg without Signature or the reverse), bad_signature_encoding,
/// bad_base64, too_large (inflates beyond kMaxInflatedLogoutMessage),
/// bad_deflate.
Result<RedirectMessage> ParseRedirectQuery(std::string_view query);

/// The signature must be present and made by one of `certificates`
/// (rollover: any active one) with an algorithm the policy allows: RSA or
/// ECDSA (matching the certificate's key) with SHA-256/384/512, SHA-1 only
/// when `allow_sha1` (the same list and opt-in as for XML signatures). Errors
/// "saml.logout.<cause>": unsigned, algorithm, signature_invalid (no certificate verifies it).
Status VerifyRedirectMessage(const RedirectMessage& message, const CertificateSet& certificates,
                             bool allow_sha1);

}  // namespace vsso::saml
