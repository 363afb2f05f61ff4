#include "saml/fetched_metadata.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/xmldsig.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <climits>
#include <memory>
#include <vector>

#include "common/time.hpp"
#include "saml/message.hpp"
#include "saml/response_validator.hpp"
#include "saml/rules/algorithm_policy.hpp"
#include "saml/xml_errors.hpp"
#include "saml/xml_util.hpp"

namespace vsso::saml {
namespace {

constexpr char kMdNs[] = "urn:oasis:names:tc:SAML:2.0:metadata";
constexpr char kDsNs[] = "http://www.w3.org/2000/09/xmldsig#";

std::optional<std::string> Attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetNoNsProp(n, X(name));
  if (v == nullptr) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// The root's one enveloped signature, verified with the pinned key only
// (never a key from ds:KeyInfo), by the same transform whitelist as
// responses (no SHA-1: metadata is not a legacy IdP's response), and over
// the root itself: one Reference, "#<root ID>" or "".
Status VerifyRootSignature(xmlDoc* doc, xmlNode* root, const crypto::Certificate& cert,
                           const std::string& origin) {
  const std::string where = origin + ": the metadata's signature";
  std::vector<xmlNode*> signatures;
  for (xmlNode* c = root->children; c != nullptr; c = c->next) {
    if (IsElement(c, kDsNs, "Signature")) signatures.push_back(c);
  }
  if (signatures.empty()) {
    return MakeError("metadata.signature.missing",
                     origin +
                         ": the root element has no ds:Signature, but "
                         "idp_metadata_signing_certificate requires the document to be signed");
  }
  if (signatures.size() > 1) {
    return MakeError("metadata.signature.invalid", where + ": the root element has " +
                                                       std::to_string(signatures.size()) +
                                                       " ds:Signature children; expected one");
  }
  // Only the root's ID is an ID, so "#X" can resolve to nothing else
  // (xmlsec notes, "IDs and references").
  const std::string root_id = Attr(root, "ID").value_or("");
  if (!root_id.empty()) {
    xmlAttr* attr = xmlHasProp(root, X("ID"));
    if (attr == nullptr || xmlAddID(nullptr, doc, X(root_id.c_str()), attr) == nullptr) {
      return MakeError("metadata.signature.invalid", where + ": cannot register the root's ID");
    }
  }
  PinnedDSigCtxPtr ctx = NewPinnedKeyDSigCtx();
  if (!ctx) return MakeError("metadata.signature.invalid", where + ": xmlsec has no context");
  ctx->flags |= XMLSEC_DSIG_FLAGS_IGNORE_MANIFESTS;
  ctx->enabledReferenceUris = xmlSecTransformUriTypeEmpty | xmlSecTransformUriTypeSameDocument;
  if (xmlSecPtrListAdd(&ctx->keyInfoReadCtx.enabledKeyData,
                       const_cast<void*>(static_cast<const void*>(xmlSecKeyDataNameId))) < 0) {
    return MakeError("metadata.signature.invalid", where + ": cannot restrict KeyInfo");
  }
  for (xmlSecTransformId id : rules::AllowedReferenceTransforms(false)) {
    if (xmlSecDSigCtxEnableReferenceTransform(ctx.get(), id) < 0) {
      return MakeError("metadata.signature.invalid", where + ": cannot enable a transform");
    }
  }
  for (xmlSecTransformId id : rules::AllowedSignatureTransforms(false)) {
    if (xmlSecDSigCtxEnableSignatureTransform(ctx.get(), id) < 0) {
      return MakeError("metadata.signature.invalid", where + ": cannot enable a transform");
    }
  }
  if (!PinKey(ctx.get(), cert.public_key.get())) {
    return MakeError("metadata.signature.invalid",
                     where + ": xmlsec cannot use the key of idp_metadata_signing_certificate " +
                         cert.sha256_fingerprint);
  }
  if (xmlSecDSigCtxVerify(ctx.get(), signatures.front()) < 0) {
    return MakeError("metadata.signature.invalid",
                     where +
                         " could not be processed (an algorithm or transform that is not "
                         "allowed, a reference that does not resolve, or a key of another "
                         "type than the SignatureMethod)");
  }
  if (ctx->status != xmlSecDSigStatusSucceeded) {
    for (xmlSecSize i = 0; i < xmlSecPtrListGetSize(&ctx->signedInfoReferences); ++i) {
      auto* ref = static_cast<xmlSecDSigReferenceCtxPtr>(
          xmlSecPtrListGetItem(&ctx->signedInfoReferences, i));
      if (ref != nullptr && ref->status != xmlSecDSigStatusSucceeded) {
        return MakeError("metadata.signature.invalid",
                         where +
                             " does not match the document (DigestValue mismatch): it was "
                             "modified after signing");
      }
    }
    return MakeError("metadata.signature.invalid",
                     where + " does not verify with idp_metadata_signing_certificate (SHA-256 " +
                         cert.sha256_fingerprint + ")");
  }
  if (xmlSecPtrListGetSize(&ctx->signedInfoReferences) != 1) {
    return MakeError("metadata.signature.reference",
                     where + " verified, but has more than one Reference; refused");
  }
  auto* ref =
      static_cast<xmlSecDSigReferenceCtxPtr>(xmlSecPtrListGetItem(&ctx->signedInfoReferences, 0));
  const std::string uri =
      ref != nullptr && ref->uri != nullptr ? reinterpret_cast<const char*>(ref->uri) : "";
  const bool whole_document = uri.empty();
  const bool root_by_id = !root_id.empty() && uri == "#" + root_id;
  if (ref == nullptr || !(whole_document || root_by_id)) {
    return MakeError("metadata.signature.reference", where + " verified, but over \"" + uri +
                                                         "\", not the root element (expected \"#" +
                                                         root_id + "\" or \"\"); refused");
  }
  return Ok();
}

// validUntil and cacheDuration of one element, folded into `out`.
Status ReadValidity(xmlNode* n, const std::string& origin, FetchedMetadata& out) {
  if (auto v = Attr(n, "validUntil")) {
    auto t = time::ParseXsDateTime(TrimXmlSpace(*v));
    if (!t) {
      return MakeError(
          "metadata.bad_valid_until",
          origin + ": validUntil \"" + *v + "\" is not an xs:dateTime: " + t.error().message);
    }
    if (out.valid_until == 0 || *t < out.valid_until) out.valid_until = *t;
  }
  if (auto v = Attr(n, "cacheDuration")) {
    auto d = ParseXsDurationSeconds(TrimXmlSpace(*v));
    if (!d) {
      return MakeError(
          "metadata.bad_cache_duration",
          origin + ": cacheDuration \"" + *v + "\" is not a non-negative xs:duration such as PT1H");
    }
    if (out.cache_duration_seconds == 0 || *d < out.cache_duration_seconds) {
      out.cache_duration_seconds = *d;
    }
  }
  return Ok();
}

xmlNode* FindEntity(xmlNode* n, const std::string& entity_id) {
  for (; n != nullptr; n = n->next) {
    if (IsElement(n, kMdNs, "EntityDescriptor") &&
        TrimXmlSpace(Attr(n, "entityID").value_or("")) == entity_id) {
      return n;
    }
    if (IsElement(n, kMdNs, "EntitiesDescriptor")) {
      if (xmlNode* found = FindEntity(n->children, entity_id)) return found;
    }
  }
  return nullptr;
}

}  // namespace

std::optional<std::int64_t> ParseXsDurationSeconds(std::string_view text) {
  // PnYnMnDTnHnMnS, each part optional but at least one, 'T' before time parts.
  if (text.size() < 3 || text.front() != 'P') return std::nullopt;
  std::int64_t total = 0;
  bool in_time = false;
  bool any = false;
  std::size_t i = 1;
  constexpr std::int64_t kCap = std::int64_t{1} << 40;  // far beyond any refresh interval
  while (i < text.size()) {
    if (text[i] == 'T') {
      if (in_time || i + 1 == text.size()) return std::nullopt;
      in_time = true;
      ++i;
      continue;
    }
    std::int64_t number = 0;
    const auto [ptr, ec] = std::from_chars(text.data() + i, text.data() + text.size(), number);
    if (ec != std::errc() || ptr == text.data() + i || number < 0) return std::nullopt;
    i = static_cast<std::size_t>(ptr - text.data());
    // Fractional seconds are truncated.
    if (i < text.size() && text[i] == '.' && in_time) {
      ++i;
      while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
      if (i >= text.size() || text[i] != 'S') return std::nullopt;
    }
    if (i >= text.size()) return std::nullopt;
    std::int64_t unit = 0;
    switch (text[i]) {
      case 'Y':
        unit = in_time ? 0 : 365 * 86400;
        break;
      case 'M':
        unit = in_time ? 60 : 30 * 86400;
        break;
      case 'D':
        unit = in_time ? 0 : 86400;
        break;
      case 'H':
        unit = in_time ? 3600 : 0;
        break;
      case 'S':
        unit = in_time ? 1 : 0;
        break;
      default:
        return std::nullopt;
    }
    if (unit == 0 || number > kCap) return std::nullopt;
    total = std::min(kCap, total + number * unit);
    any = true;
    ++i;
  }
  if (!any) return std::nullopt;
  return total;
}

Result<FetchedMetadata> ValidateFetchedMetadata(std::string_view xml, const std::string& origin,
                                                const FetchedMetadataCheck& check) {
  if (xml.size() > check.max_bytes || xml.size() > static_cast<std::size_t>(INT_MAX)) {
    return MakeError("metadata.too_large", origin + ": the document is " +
                                               std::to_string(xml.size()) + " bytes; at most " +
                                               std::to_string(check.max_bytes) + " are read");
  }
  InitializeXmlLibraries();
  XmlErrorScope quiet;
  auto doc = ParseMetadataDocument(xml, origin);
  if (!doc) return std::move(doc).error();
  xmlNode* root = xmlDocGetRootElement(doc->get());
  if (check.signing_certificate) {
    if (auto st = VerifyRootSignature(doc->get(), root, *check.signing_certificate, origin); !st) {
      return std::move(st).error();
    }
  }
  auto md = ParseIdpMetadata(xml, origin);
  if (!md) return std::move(md).error();
  if (!check.expected_entity_id.empty() && md->entity_id != check.expected_entity_id) {
    return MakeError("metadata.entity_mismatch",
                     origin + ": the document names another entity, \"" + md->entity_id +
                         "\"; idp_entity_id (or the last good copy) is \"" +
                         check.expected_entity_id + "\"");
  }
  FetchedMetadata out;
  if (auto st = ReadValidity(root, origin, out); !st) return std::move(st).error();
  if (xmlNode* entity = FindEntity(root, md->entity_id); entity != nullptr && entity != root) {
    if (auto st = ReadValidity(entity, origin, out); !st) return std::move(st).error();
  }
  if (xmlNode* entity = FindEntity(root, md->entity_id)) {
    for (xmlNode* c = entity->children; c != nullptr; c = c->next) {
      if (!IsElement(c, kMdNs, "IDPSSODescriptor")) continue;
      if (auto st = ReadValidity(c, origin, out); !st) return std::move(st).error();
    }
  }
  if (out.valid_until != 0 && out.valid_until <= check.now) {
    return MakeError("metadata.expired", origin + ": the document expired at " +
                                             time::FormatUtc(out.valid_until) +
                                             " (validUntil); it is " + time::FormatUtc(check.now));
  }
  out.metadata = std::move(*md);
  return out;
}

}  // namespace vsso::saml
