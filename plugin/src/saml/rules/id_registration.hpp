// Rule: make the IDs of samlp:Response and saml:Assertion (and only those)
// resolvable for same-document references ("#ID", XML-DSig 4.3.3.3), after
// refusing any document in which an ID-like value occurs twice. xmlsec would
// resolve a duplicated ID to one element while the identity is read from the
// other (signature wrapping), so uniqueness is checked over every ID, Id,
// AssertionID and xml:id attribute of the document, not just the registered ones.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.id.missing, saml.id.duplicate.
Status RegisterIds(Message& message, const ValidationContext& context);

/// Duplicate check over message.id_attributes (also after decryption).
Status CheckUniqueIds(const Message& message);
/// Registers the ID attribute of `element` (Response or Assertion) with libxml2.
Status RegisterElementId(Message& message, xmlNodePtr element);

}  // namespace vsso::saml::rules
