// Rule: only algorithms that are safe for SAML may appear in a signature, and
// only the transforms an enveloped SAML signature needs (SAML Core 5.4.3/5.4.4:
// enveloped-signature plus one canonicalisation). XPath, XSLT and anything
// else that can select or rewrite what is digested is refused. SHA-1 only when
// the admin opted in; HMAC never (it would need a shared secret).
//
// The same table drives which transforms xmlsec may run (signature_verify),
// so what this rule lets through is exactly what xmlsec is allowed to execute.
#pragma once

#include <xmlsec/transforms.h>

#include <vector>

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.signature.algorithm, saml.signature.transform.
Status CheckAlgorithmPolicy(Message& message, const ValidationContext& context);

/// Transforms xmlsec may run inside a Reference (enveloped, c14n, digests).
/// Built on first use (after xmlsec is initialised), then shared.
const std::vector<xmlSecTransformId>& AllowedReferenceTransforms(bool allow_sha1);
/// Transforms xmlsec may run for SignedInfo (c14n, signature methods).
const std::vector<xmlSecTransformId>& AllowedSignatureTransforms(bool allow_sha1);

}  // namespace vsso::saml::rules
