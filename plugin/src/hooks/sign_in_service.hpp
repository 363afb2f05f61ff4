// One sign-in attempt, the same for the ACS endpoint and `visitor-sso-admin
// verify`: decode, validate (every SAML rule, replay cache in SQLite), map
// fields, record the outcome in the audit log.
//
// Threading: any thread; the store is internally synchronised.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "hooks/runtime.hpp"
#include "identity/field_mapper.hpp"
#include "saml/response_validator.hpp"
#include "store/replay_cache.hpp"
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

/// Many responses at hand at once (`visitor-sso-admin verify FILE...`),
/// each judged as ConsumeResponse would, with one difference: the replay
/// rows of those that pass every other rule are committed together by
/// Finish, in one transaction (group commit, as the store does for sign-ins
/// of several threads), so no verdict is final before Finish. Within a
/// batch, the first response with an assertion ID takes it; a later one is
/// a replay, as one by one. Refusals before the replay rule are audited by
/// Add, the rest by Finish.
///
/// Threading: one thread at a time; `runtime` outlives the batch.
class SignInBatch {
 public:
  explicit SignInBatch(const Runtime& runtime) : rt_(&runtime) {}
  /// Judges `attempt` by every rule but the replay store's answer; the XML
  /// is read during the call only.
  void Add(const SignInAttempt& attempt);
  std::size_t size() const { return pending_.size(); }
  /// Records the replay rows, audits, and returns one result per Add, in
  /// the order added; the batch is empty again afterwards.
  std::vector<Result<SignIn>> Finish();

 private:
  struct Pending {
    Result<saml::Identity> identity;
    std::string visitor_id;
    std::string remote_address;
    std::optional<std::size_t> claim;  // index in claims_
  };
  const Runtime* rt_;
  std::vector<Pending> pending_;
  std::vector<store::ReplayClaim> claims_;
};

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
