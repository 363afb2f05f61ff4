// Rule: the assertion's validity window contains now, give or take the
// configured clock skew (SAML Core 2.5.1.2). A condition this SP does not
// understand makes the assertion invalid (SAML Core 2.5.1: Indeterminate).
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Lowers identity.assertion_not_on_or_after to Conditions NotOnOrAfter.
/// Errors: saml.conditions.missing, saml.conditions.malformed,
/// saml.conditions.not_yet_valid, saml.conditions.expired,
/// saml.conditions.unknown, saml.time.invalid.
Status CheckConditionsWindow(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
