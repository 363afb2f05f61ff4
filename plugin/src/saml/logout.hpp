// Single Logout messages (SAML Core 3.7, Profiles 4.4): the LogoutRequest
// this SP sends when a visitor signs out and the LogoutResponse it sends when
// the IdP asks it to end a session; and the checks of both kinds received
// from the IdP. Encoding and the query signature are redirect_binding.hpp's.
//
// Stateless and re-entrant; call InitializeXmlLibraries() first (the
// builders and parsers do it themselves).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "crypto/certificate.hpp"

namespace vsso::saml {

inline constexpr char kStatusSuccess[] = "urn:oasis:names:tc:SAML:2.0:status:Success";
inline constexpr char kStatusRequester[] = "urn:oasis:names:tc:SAML:2.0:status:Requester";
inline constexpr char kStatusResponder[] = "urn:oasis:names:tc:SAML:2.0:status:Responder";
/// Second-level status (Core 3.2.2.2): not every session could be ended.
inline constexpr char kStatusPartialLogout[] = "urn:oasis:names:tc:SAML:2.0:status:PartialLogout";

/// A logout message older than this (by IssueInstant, plus the clock skew) is
/// stale: a Redirect-binding message is delivered by the browser at once.
inline constexpr UnixSeconds kMaxLogoutMessageAge = 300;

struct LogoutNameId {
  std::string value;
  std::string format;             ///< empty: attribute omitted
  std::string name_qualifier;     ///< empty: attribute omitted
  std::string sp_name_qualifier;  ///< empty: attribute omitted
};

struct LogoutRequestParams {
  std::string sp_entity_id;  ///< saml:Issuer
  std::string destination;   ///< the IdP's SingleLogoutService Location
  LogoutNameId name_id;      ///< as the IdP sent it in the assertion
  std::string session_index;
  UnixSeconds now = 0;  ///< IssueInstant
  /// NotOnOrAfter = now + lifetime (Core 3.7.1: the time at which the
  /// request expires).
  UnixSeconds lifetime = 300;
};

struct LogoutResponseParams {
  std::string sp_entity_id;    ///< saml:Issuer
  std::string destination;     ///< the IdP's ResponseLocation (or Location)
  std::string in_response_to;  ///< the LogoutRequest's ID
  std::string status = kStatusSuccess;
  UnixSeconds now = 0;
};

struct BuiltLogoutMessage {
  std::string id;   ///< the message's ID (a LogoutResponse's InResponseTo later)
  std::string xml;  ///< before encoding
};

/// Errors "saml.logout.<cause>": missing_issuer, bad_destination,
/// missing_name_id, random_failed, xml_failed.
Result<BuiltLogoutMessage> BuildLogoutRequest(const LogoutRequestParams& params);
/// Errors "saml.logout.<cause>": missing_issuer, bad_destination,
/// random_failed, xml_failed.
Result<BuiltLogoutMessage> BuildLogoutResponse(const LogoutResponseParams& params);

/// What every received logout message must satisfy.
struct LogoutExpectations {
  UnixSeconds now = 0;
  std::int64_t clock_skew_seconds = 120;
  std::string idp_entity_id;  ///< expected Issuer
  std::string slo_url;        ///< expected Destination: this site's /sso/.../slo
};

struct ReceivedLogoutRequest {
  std::string id;
  std::string issuer;
  LogoutNameId name_id;
  std::vector<std::string> session_indexes;  ///< empty: every session of the NameID
  UnixSeconds issue_instant = 0;
  UnixSeconds not_on_or_after = 0;  ///< 0: absent
};

struct ReceivedLogoutResponse {
  std::string id;
  std::string issuer;
  std::string in_response_to;
  std::string status_code;  ///< top-level StatusCode Value
  std::string sub_status;   ///< second-level StatusCode Value, if any
  UnixSeconds issue_instant = 0;
  bool success() const { return status_code == kStatusSuccess; }
};

/// Parses `xml` hardened (rules/xml_hardening: size, encoding, attribute
/// count, no DOCTYPE, depth and node limits; their "saml.xml.*" codes) and
/// checks a LogoutRequest from the IdP. Errors "saml.logout.<cause>":
/// wrong_message (root is not samlp:LogoutRequest), version, missing_id,
/// missing_issuer, issuer_mismatch, missing_destination, destination_mismatch,
/// bad_instant, not_yet_valid, stale, expired, missing_name_id,
/// encrypted_name_id.
Result<ReceivedLogoutRequest> ParseLogoutRequest(std::string_view xml,
                                                 const LogoutExpectations& expect);

/// The same for a LogoutResponse; InResponseTo must equal
/// `expected_in_response_to` (Profiles 4.4.4.2). Errors as above with
/// wrong_message for a root other than samlp:LogoutResponse, plus
/// in_response_to and missing_status.
Result<ReceivedLogoutResponse> ParseLogoutResponse(std::string_view xml,
                                                   const LogoutExpectations& expect,
                                                   const std::string& expected_in_response_to);

}  // namespace vsso::saml
