// Rule: the Response answers the AuthnRequest this browser has outstanding
// (SAML Profiles 4.1.4.2, 4.1.5), or is unsolicited and the admin allows
// IdP-initiated sign-in. A response naming a request when none is
// outstanding is refused: it was meant for another session.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.in_response_to.missing, saml.in_response_to.mismatch,
/// saml.in_response_to.unknown_request, saml.in_response_to.unsolicited.
Status CheckInResponseTo(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
