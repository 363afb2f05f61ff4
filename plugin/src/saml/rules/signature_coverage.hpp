// Rule: every signature signs the element the identity is read from, or the
// Response around it, and nothing else (XML signature wrapping defence,
// SAML Core 5.4.2: enveloped signatures referencing the parent's ID).
//
// CheckSignaturePlacement runs before verification on the signatures not
// seen yet: once on the received tree and again on a decrypted assertion.
// CheckSignatureCoverage runs after all verification: the consumed assertion
// must be covered by a verified signature (its own or the Response's; for an
// EncryptedAssertion the Response signature covers the ciphertext).
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.signature.placement, saml.signature.duplicate,
/// saml.signature.malformed, saml.signature.reference_count,
/// saml.signature.reference_uri.
Status CheckSignaturePlacement(Message& message, const ValidationContext& context);

/// Error: saml.signature.missing.
Status CheckSignatureCoverage(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
