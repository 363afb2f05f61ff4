// Rule: the assertion (and the Response, when it names an issuer) comes from
// the configured IdP entity (SAML Profiles 4.1.4.2: Issuer required in the
// assertion, Format omitted or ...:nameid-format:entity).
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.issuer.missing, saml.issuer.mismatch, saml.issuer.format.
Status CheckIssuer(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
