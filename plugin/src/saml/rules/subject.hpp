// Rule: the assertion names its subject with a NameID, in clear or as an
// EncryptedID (SAML Core 2.2.4), and that NameID is meant for this SP.
//
// The value is the full text content: a comment inside a signed NameID is
// not signed (XML-DSig 4.3.3.3 strips comments for "#ID" references), so
// reading only the first text node would let
// "alice@evil.org<!---->.example.com" become "alice@evil.org".
//
// EncryptedID: decrypted with the SP key under the EncryptedAssertion policy
// (decryption.hpp). The rule runs after every signature was verified and
// coverage checked, and reads only the Subject of the consumed assertion, so
// the ciphertext it decrypts is covered by a verified signature (the
// assertion's own, or the Response's over the EncryptedAssertion holding
// it); an EncryptedID anywhere else is never read.
//
// SPNameQualifier (Core 2.2.2): when present it names the SP the identifier
// was issued to; a NameID issued to another SP is refused.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.subject.missing, saml.subject.name_id_missing,
/// saml.subject.identifier_count, saml.subject.name_id_empty,
/// saml.subject.sp_name_qualifier, saml.decrypt.* (EncryptedID, see
/// decryption.hpp), saml.decrypt.not_name_id.
Status CheckSubject(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
