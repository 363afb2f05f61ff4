// Rule: the assertion records an authentication (SAML Profiles 4.1.4.2: at
// least one AuthnStatement); the first one gives AuthnInstant, SessionIndex
// and SessionNotOnOrAfter, and a session the IdP already ended is refused.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.authn_statement.missing, saml.authn_statement.session_expired,
/// saml.time.invalid.
Status CheckAuthnStatement(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
