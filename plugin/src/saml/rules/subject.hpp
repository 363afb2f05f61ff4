// Rule: the assertion names its subject with a NameID. The value is the full
// text content: a comment inside a signed NameID is not signed (XML-DSig
// 4.3.3.3 strips comments for "#ID" references), so reading only the first
// text node would let "alice@evil.org<!---->.example.com" become
// "alice@evil.org".
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.subject.missing, saml.subject.name_id_missing,
/// saml.subject.encrypted_id, saml.subject.name_id_empty.
Status CheckSubject(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
