// Rule: the IdP says it succeeded (SAML Core 3.2.2.2). Anything else is
// reported with the IdP's own status codes and message, which is what the
// admin needs to fix the IdP side (e.g. ...:status:Responder / ...:NoPassive).
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.status.missing, saml.status.not_success.
Status CheckStatus(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
