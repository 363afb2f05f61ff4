// Rule: the browser presenting the assertion is allowed to (SAML Profiles
// 4.1.4.2): at least one bearer SubjectConfirmation whose
// SubjectConfirmationData names this ACS as Recipient, is unexpired, has no
// NotBefore, and answers the outstanding request. The first one that passes
// is used; if none does, the first bearer's failure is reported.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Sets identity.assertion_not_on_or_after to the bearer NotOnOrAfter.
/// Errors: saml.subject.missing, saml.subject_confirmation.missing,
/// saml.subject_confirmation.no_data, saml.subject_confirmation.not_before,
/// saml.subject_confirmation.recipient, saml.subject_confirmation.no_expiry,
/// saml.subject_confirmation.expired, saml.subject_confirmation.in_response_to,
/// saml.time.invalid.
Status CheckBearerConfirmation(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
