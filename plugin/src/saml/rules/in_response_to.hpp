// Rule: the Response answers the AuthnRequest this browser has outstanding
// (SAML Profiles 4.1.4.2, 4.1.5), or is unsolicited and the admin allows
// IdP-initiated sign-in. A response naming a request when none is
// outstanding is refused: it was meant for another session.
//
// Where the answer is written: the Response's InResponseTo is optional
// (SAML Core 3.2.2); the bearer SubjectConfirmationData's is required when
// the response answers a request (Profiles 4.1.4.2). ADFS and others send it
// on the SubjectConfirmationData only, so a response is solicited when
// either names a request, and every InResponseTo present must name the
// outstanding one. Only the SubjectConfirmationData's is inside the signed
// assertion; the bearer rule requires it on every solicited response.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.in_response_to.missing, saml.in_response_to.mismatch,
/// saml.in_response_to.unknown_request, saml.in_response_to.unsolicited.
/// Sets identity.in_response_to to the answered request (empty: unsolicited).
Status CheckInResponseTo(Message& message, const ValidationContext& context);

/// The request the response is judged to answer: the outstanding one when
/// the Response or any bearer SubjectConfirmationData carries InResponseTo,
/// or when neither does and unsolicited responses are not allowed (which
/// the rules then refuse); nullopt for an unsolicited response. Shared by
/// this rule and the bearer rule so both read the response the same way.
/// (A view of context.expected_request_id: no copy per response.)
std::optional<std::string_view> AnsweredRequest(const Message& message,
                                                const ValidationContext& context);

}  // namespace vsso::saml::rules
