// Rule: every signature placed and policy-checked so far verifies with one of
// the configured IdP certificates (pinned keys; ds:KeyInfo is never used to
// find a key). A signature that verifies with no configured key refuses the
// whole response, even if another signature is good.
//
// Cost: one xmlSecDSigCtx per signature and key tried; the configured
// EVP_PKEY is up-ref'd and adopted, never copied (see xmlsec notes).
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.signature.no_certificate, saml.signature.invalid,
/// saml.signature.reference_uri, saml.internal.
Status VerifySignatures(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
