// Rule: an EncryptedAssertion (SAML Core 2.3.4) is decrypted with the SP
// private key and replaced, in the tree, by the Assertion it contains; that
// Assertion then goes through the same ID, structure and signature rules as
// a plain one. Runs after the Response signature (which covers the
// ciphertext) has been verified, because replacing the node changes what
// that signature digests.
//
// Key transport: RSA-OAEP only (xmlenc#rsa-oaep-mgf1p, xmlenc11#rsa-oaep),
// done with OpenSSL since xmlsec 1.2 lacks xmlenc11#rsa-oaep. RSA PKCS#1 v1.5
// is refused (Bleichenbacher's attack). Data: AES-CBC or AES-GCM through
// xmlsec. Every failure after the algorithm checks is the same
// "saml.decrypt.failed", so the response gives no padding oracle.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.decrypt.no_key, saml.decrypt.key_type, saml.decrypt.malformed,
/// saml.decrypt.key_transport, saml.decrypt.algorithm, saml.decrypt.failed,
/// saml.decrypt.not_assertion, saml.structure.nested_assertion, saml.id.*.
Status DecryptAssertion(Message& message, const ValidationContext& context);

/// The plaintext of an element of SAML's EncryptedElementType (Core 2.2.4:
/// EncryptedAssertion, EncryptedID, EncryptedAttribute): one EncryptedData
/// and its EncryptedKey, under the key-transport and data-encryption policy
/// above. Leaves the tree unchanged. Errors: saml.decrypt.no_key, key_type,
/// malformed, key_transport, algorithm, failed (messages name the element).
Result<std::string> DecryptElement(xmlNodePtr encrypted, const ValidationContext& context);

/// The one "saml.decrypt.failed" for every failure after the algorithm
/// checks (wrong key, bad padding, plaintext that does not parse), so the
/// response gives no oracle. `what` names the element.
Error DecryptionFailed(const std::string& what);

}  // namespace vsso::saml::rules
