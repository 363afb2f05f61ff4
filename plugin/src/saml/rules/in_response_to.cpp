#include "saml/rules/in_response_to.hpp"

namespace vsso::saml::rules {

Status CheckInResponseTo(Message& message, const ValidationContext& context) {
  auto received = GetAttr(message.response, "InResponseTo");
  if (context.expected_request_id) {
    // A sign-in was started from this browser but the IdP sent an
    // unsolicited response (no InResponseTo, Profiles 4.1.5): acceptable only
    // where IdP-initiated sign-in is allowed; it is then treated as one.
    if (!received && context.allow_unsolicited) return Ok();
    if (!received) {
      return MakeError("saml.in_response_to.missing",
                       "the Response has no InResponseTo; the outstanding request is " +
                           Quote(*context.expected_request_id));
    }
    if (*received != *context.expected_request_id) {
      return MakeError("saml.in_response_to.mismatch",
                       "the Response answers request " + Quote(*received) +
                           "; the outstanding request is " + Quote(*context.expected_request_id));
    }
    message.identity.in_response_to = *received;
    return Ok();
  }
  if (received) {
    return MakeError("saml.in_response_to.unknown_request",
                     "the Response answers request " + Quote(*received) +
                         " but no request is outstanding for this browser (expired, already "
                         "used, or started in another browser)");
  }
  if (!context.allow_unsolicited) {
    return MakeError("saml.in_response_to.unsolicited",
                     "the Response is unsolicited (IdP-initiated) and allow_idp_initiated is "
                     "false");
  }
  return Ok();
}

}  // namespace vsso::saml::rules
