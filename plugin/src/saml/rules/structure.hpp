// Rule: the document is one samlp:Response carrying exactly one assertion,
// plain or encrypted, as its direct child, and no assertion anywhere else
// (not in Extensions, StatusDetail, Advice or any other wrapper). SAML
// Profiles 4.1.4.2 allows more, but a response with several assertions is the
// raw material of wrapping attacks and no deployment of this plugin needs it.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Sets message.response and message.assertion or message.encrypted_assertion.
/// Errors: saml.structure.not_response, saml.structure.assertion_count,
/// saml.structure.nested_assertion.
Status CheckStructure(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
