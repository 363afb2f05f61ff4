// Rule: SAML 2.0 on both the Response and the consumed Assertion (SAML Core
// 3.2.2 and 2.3.3 Version="2.0"); also records the IDs and the assertion's
// IssueInstant in the Identity.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.version.unsupported, saml.time.invalid.
Status CheckVersion(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
