#include "saml/rules/signature_verify.hpp"

#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/xmldsig.h>

#include <memory>
#include <string_view>

#include "saml/rules/algorithm_policy.hpp"
#include "saml/xml_util.hpp"

namespace vsso::saml::rules {
namespace {

enum class Outcome { kValid, kDigestMismatch, kSignatureMismatch, kKeyUnusable, kWrongTarget };

Result<PinnedDSigCtxPtr> MakeContext(const crypto::Certificate& cert, bool allow_sha1) {
  PinnedDSigCtxPtr ctx = NewPinnedKeyDSigCtx();
  if (!ctx) return MakeError("saml.internal", "xmlsec could not create a signature context");
  ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  // Only "#ID" references: no empty URI (whole document), no remote URIs.
  ctx->enabledReferenceUris = xmlSecTransformUriTypeSameDocument;
  // The key always comes from configuration (PinKey); KeyInfo is never read.
  // Should it be, a non-empty list restricts it to KeyName, which resolves
  // nothing.
  if (xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
                       const_cast<void*>(static_cast<const void*>(xmlSecKeyDataNameId))) < 0) {
    return MakeError("saml.internal", "xmlsec could not restrict KeyInfo processing");
  }
  for (xmlSecTransformId id : AllowedReferenceTransforms(allow_sha1)) {
    if (xmlSecDSigCtxEnableReferenceTransform(ctx.get(), id) < 0) {
      return MakeError("saml.internal", "xmlsec could not enable a reference transform");
    }
  }
  for (xmlSecTransformId id : AllowedSignatureTransforms(allow_sha1)) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx.get(), id) < 0) {
      return MakeError("saml.internal", "xmlsec could not enable a signature transform");
    }
  }
  if (!PinKey(ctx.get(), cert.public_key.get())) {
    return MakeError("saml.internal", "the IdP certificate " + cert.sha256_fingerprint +
                                          " has a key xmlsec cannot use");
  }
  return ctx;
}

// xmlsec verified "a" reference; make sure it is the one and only reference
// and that it resolved to the element we read (the parent of the signature).
bool ReferenceIsParent(const Message& message, const SignatureSite& site, xmlSecDSigCtx* ctx) {
  if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) return false;
  auto* ref =
      static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
  if (ref == nullptr || ref->uri == nullptr || ref->status != xmlSecDSigStatusSucceeded) {
    return false;
  }
  const std::string_view uri = reinterpret_cast<const char*>(ref->uri);
  if (!uri.starts_with('#') || uri.substr(1) != site.signed_id) return false;
  xmlAttrPtr id =
      xmlGetID(message.doc.get(), reinterpret_cast<const xmlChar*>(site.signed_id.c_str()));
  return id != nullptr && id->parent == site.signed_element;
}

Outcome VerifyWith(const Message& message, const SignatureSite& site, xmlSecDSigCtx* ctx) {
  if (xmlSecDSigCtxVerify(ctx, site.signature) < 0) return Outcome::kKeyUnusable;
  if (ctx->status != xmlSecDSigStatusSucceeded) {
    // xmlsec digests the references before checking SignatureValue.
    for (xmlSecSize i = 0; i < xmlSecPtrListGetSize(&ctx->signedInfoReferences); ++i) {
      auto* ref = static_cast<xmlSecDSigReferenceCtxPtr>(
          xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
      if (ref != nullptr && ref->status != xmlSecDSigStatusSucceeded) {
        return Outcome::kDigestMismatch;
      }
    }
    return Outcome::kSignatureMismatch;
  }
  return ReferenceIsParent(message, site, ctx) ? Outcome::kValid : Outcome::kWrongTarget;
}

Status VerifySite(Message& message, SignatureSite& site, const ValidationContext& context) {
  // For refusals only: an accepted signature formats no message.
  const auto what = [&] { return "the signature of " + DisplayName(site.signed_element); };
  std::string tried;
  bool any_usable = false;
  for (const crypto::Certificate& cert : context.idp_certificates) {
    auto ctx = MakeContext(cert, context.allow_sha1);
    if (!ctx) return ctx.error();
    const Outcome outcome = VerifyWith(message, site, ctx->get());
    switch (outcome) {
      case Outcome::kValid:
        site.verified = true;
        (site.signed_element == message.response ? message.response_signed
                                                 : message.assertion_signed) = true;
        return Ok();
      case Outcome::kDigestMismatch:
        // The digest does not depend on the key: the signed content changed.
        return MakeError("saml.signature.invalid",
                         what() +
                             " does not match its content (DigestValue mismatch): the "
                             "element was modified after signing");
      case Outcome::kWrongTarget:
        return MakeError("saml.signature.reference_uri", what() + " verified, but not over " +
                                                             DisplayName(site.signed_element) +
                                                             " itself; refused");
      case Outcome::kSignatureMismatch:
        any_usable = true;
        tried += (tried.empty() ? "" : ", ") + cert.sha256_fingerprint;
        break;
      case Outcome::kKeyUnusable:
        tried += (tried.empty() ? "" : ", ") + cert.sha256_fingerprint +
                 " (xmlsec could not use this " + cert.key_type + " key for the SignatureMethod)";
        break;
    }
  }
  return MakeError("saml.signature.invalid",
                   what() +
                       " does not verify with any configured IdP certificate (SHA-256 "
                       "fingerprints tried: " +
                       tried + ")" +
                       (any_usable ? "; the IdP may have rolled over to a new certificate" : ""));
}

}  // namespace

Status VerifySignatures(Message& message, const ValidationContext& context) {
  for (SignatureSite& site : message.signatures) {
    if (site.verified) continue;
    if (context.idp_certificates.empty()) {
      return MakeError("saml.signature.no_certificate",
                       "no IdP certificate is configured, so no signature can be verified");
    }
    if (auto s = VerifySite(message, site, context); !s) return s;
  }
  return Ok();
}

}  // namespace vsso::saml::rules
