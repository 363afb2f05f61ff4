// One sign-in attempt, the same for the ACS endpoint and `visitor-sso-admin
// verify`: decode, validate (every SAML rule, replay cache in SQLite), map
// fields, record the outcome in the audit log.
//
// Threading: any thread; the store is internally synchronised.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "hooks/runtime.hpp"
#include "identity/field_mapper.hpp"
#include "saml/response_validator.hpp"
#include "store/session_repository.hpp"

namespace vsso::hooks {

struct SignInAttempt {
  /// The XML bytes of the response (already base64-decoded).
  std::string_view xml;
  /// The outstanding AuthnRequest this post answers, if any.
  std::optional<std::string> expected_request_id;
  std::string visitor_id;  ///< for the audit log; may be empty
  /// The client's address (HttpRequest::remote_address), for the audit log.
  std::string remote_address;
};

struct SignIn {
  saml::Identity identity;
  std::string customer_id;
  identity::MappingOutcome mapping;
};

/// The XML of a posted SAMLResponse value: base64 as posted, decoded into
/// `decoded` (the view returned points there); or raw XML when it already
/// starts with '<' (admins verify files saved either way), returned as is,
/// without a copy. The view lives as long as `input` and `decoded`.
Result<std::string_view> DecodeResponseInput(std::string_view input, std::string& decoded);

Result<SignIn> ConsumeResponse(const Runtime& runtime, const SignInAttempt& attempt);

/// The SSO session an accepted sign-in opens: until the site's session
/// lifetime or the IdP's SessionNotOnOrAfter, whichever is sooner, with the
/// mapped fields and the attributes as JSON. visitor_id is left for whoever
/// binds it (ACS, confirmation, hand-off).
store::SsoSession SessionOf(const Runtime& runtime, const SignIn& sign_in);

/// The validation context ConsumeResponse uses for `attempt` (settings,
/// trusted certificates, keys, clock), with `replay` as its replay guard.
saml::ValidationContext MakeValidationContext(const Runtime& runtime, const SignInAttempt& attempt,
                                              saml::ReplayGuard* replay);

/// Records a sign-in refused before the response itself could be judged
/// (ACS form, RelayState, decoding), so that admins see every refused
/// sign-in in one place. ConsumeResponse records its own outcomes.
void RecordRejectedSignIn(const Runtime& runtime, const Error& error, const std::string& visitor_id,
                          const std::string& remote_address);

/// Records a step of a sign-in that already passed validation (an
/// IdP-initiated sign-in confirmed, a popup's sign-in handed to its chat).
void RecordSignInEvent(const Runtime& runtime, const std::string& kind, const std::string& message,
                       const std::string& issuer, const std::string& visitor_id,
                       const std::string& remote_address);

}  // namespace vsso::hooks
