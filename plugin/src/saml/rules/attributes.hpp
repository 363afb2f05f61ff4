// Rule: read every saml:Attribute of every AttributeStatement of the consumed
// assertion, with every AttributeValue's full text, in document order.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.attributes.encrypted, saml.attributes.malformed.
Status ReadAttributes(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
