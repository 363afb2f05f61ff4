// The test IdP's side of single logout (SAML Core 3.7, Bindings 3.4): the
// LogoutRequest and LogoutResponse XML that SimpleSAMLphp 1.19 sends (Issuer,
// NameID with Format and SPNameQualifier, SessionIndex, NotOnOrAfter), and
// their HTTP-Redirect encoding with a query signature made here, with OpenSSL
// alone, so the plugin's encoder and verifier are checked against an
// independent implementation. The encoding is PHP's urlencode() (what
// SimpleSAMLphp uses: unreserved "-_." kept, '~' encoded, upper-case hex) or,
// optionally, lower-case hex as .NET's HttpUtility.UrlEncode writes it.
//
// Threading: re-entrant.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "support/test_idp.hpp"
#include "support/test_keys.hpp"

namespace vsso::testing {

struct IdpLogoutRequestSpec {
  std::string id = RandomId();
  std::string issuer = kIdpEntityId;
  std::string destination;  ///< the SP's /sso/.../slo
  std::string name_id = "gold@example.org";
  std::string name_id_format = kNameIdEmail;
  std::string sp_name_qualifier = kSpEntityId;  ///< empty: omitted
  std::vector<std::string> session_indexes;
  UnixSeconds issue_instant = kTestNow;
  std::optional<UnixSeconds> not_on_or_after;  ///< nullopt: omitted
  std::string version = "2.0";
};
std::string IdpLogoutRequestXml(const IdpLogoutRequestSpec& spec);

struct IdpLogoutResponseSpec {
  std::string id = RandomId();
  std::string issuer = kIdpEntityId;
  std::string destination;     ///< the SP's /sso/.../slo; empty: omitted
  std::string in_response_to;  ///< empty: omitted
  std::string status = kStatusSuccess;
  UnixSeconds issue_instant = kTestNow;
};
std::string IdpLogoutResponseXml(const IdpLogoutResponseSpec& spec);

struct RedirectSignSpec {
  /// nullptr: unsigned (no SigAlg, no Signature).
  const TestKey* key = &IdpRsaKey();
  std::string sig_alg = kRsaSha256;  ///< kRsaSha256/384/512, kRsaSha1 or kEcdsaSha256
  bool lower_case_hex = false;
  /// Signature and SigAlg first in the query (the signed string keeps the
  /// binding's order whatever order the query has).
  bool signature_first = false;
};

/// "SAMLRequest=..." or "SAMLResponse=..." (`param`) with RelayState when
/// non-empty, signed per `sign`; without a leading '?'.
std::string RedirectQuery(const std::string& param, const std::string& xml,
                          const std::string& relay_state, const RedirectSignSpec& sign = {});

/// PHP urlencode(): alphanumerics and "-_." kept, space '+', others %XX.
std::string PhpUrlEncode(const std::string& value, bool lower_case_hex = false);

/// The query of a URL (after '?', before '#'); empty if none.
std::string QueryOfUrl(const std::string& url);
/// The decoded value of `key` in a query; nullopt when absent.
std::optional<std::string> QueryValue(const std::string& query, const std::string& key);
/// Base64 + raw inflate of a SAMLRequest/SAMLResponse value (decoded).
std::string InflateRedirectValue(const std::string& value);
/// Whether `query` carries a valid Bindings 3.4.4.1 signature by `cert`'s
/// key (rsa-sha256), checked independently of the plugin.
bool RedirectSignatureValid(const std::string& query, const TestKey& key);

}  // namespace vsso::testing
