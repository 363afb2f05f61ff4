// SP-initiated sign-in: a SAML 2.0 AuthnRequest (Core 3.4.1) sent with the
// HTTP-Redirect binding (Bindings 3.4), optionally signed with the SP key
// over the query string (Bindings 3.4.4.1). Stateless and re-entrant; the
// caller stores BuiltRequest::id to check InResponseTo later.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "crypto/certificate.hpp"

namespace vsso::saml {

struct AuthnRequestParams {
  std::string sp_entity_id;               ///< saml:Issuer
  std::string acs_url;                    ///< AssertionConsumerServiceURL (HTTP-POST)
  std::string idp_sso_url;                ///< Destination and the redirect target
  std::string relay_state;                ///< empty: no RelayState parameter; at most 80 bytes
  UnixSeconds now = 0;                    ///< IssueInstant
  bool sign = false;                      ///< adds SigAlg and Signature; needs `key`
  std::optional<crypto::PrivateKey> key;  ///< RSA (rsa-sha256) or EC (ecdsa-sha256)
  bool force_authn = false;
  bool is_passive = false;
  std::string name_id_format;  ///< NameIDPolicy Format; empty: omitted (IdP's choice)
};

struct BuiltRequest {
  std::string id;            ///< the request's ID attribute
  std::string xml;           ///< the AuthnRequest before encoding
  std::string redirect_url;  ///< idp_sso_url + SAMLRequest[, RelayState][, SigAlg, Signature]
};

/// Errors "saml.authn_request.<cause>": missing_sp_entity_id, bad_acs_url,
/// bad_idp_sso_url, relay_state_too_long, missing_key, unsupported_key,
/// random_failed, sign_failed, xml_failed.
Result<BuiltRequest> BuildRedirectAuthnRequest(const AuthnRequestParams& params);

/// Checks the Bindings 3.4.4.1 signature of a redirect query string (with or
/// without the leading '?'), SAMLRequest or SAMLResponse, over the octets as
/// received. true: valid for `certificate`; false: it does not verify.
/// ECDSA signatures are DER-encoded, as BuildRedirectAuthnRequest writes them.
/// Errors "saml.redirect.<cause>": bad_query, missing_param, duplicate_param,
/// unsupported_algorithm, key_mismatch, bad_signature_encoding.
Result<bool> VerifyRedirectSignature(std::string_view query_string,
                                     const crypto::Certificate& certificate);

/// The URL-decoded SAMLRequest value -> AuthnRequest XML (base64, then raw
/// inflate limited to 256 KiB). Errors "saml.redirect.bad_base64" and the
/// "common.inflate_*" codes.
Result<std::string> DecodeRedirectRequest(std::string_view samlrequest_param_decoded);

}  // namespace vsso::saml
