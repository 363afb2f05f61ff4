#include "saml/rules/algorithm_policy.hpp"

#include <xmlsec/crypto.h>

#include <string_view>

namespace vsso::saml::rules {
namespace {

enum class Kind { kC14n, kEnveloped, kDigest, kSignature };

struct Algorithm {
  std::string_view uri;
  Kind kind;
  bool sha1;
  xmlSecTransformId (*id)();
};

xmlSecTransformId ExcC14n() { return xmlSecTransformExclC14NId; }
xmlSecTransformId ExcC14nComments() { return xmlSecTransformExclC14NWithCommentsId; }
xmlSecTransformId InclC14n() { return xmlSecTransformInclC14NId; }
xmlSecTransformId InclC14nComments() { return xmlSecTransformInclC14NWithCommentsId; }
xmlSecTransformId Enveloped() { return xmlSecTransformEnvelopedId; }
xmlSecTransformId Sha1() { return xmlSecTransformSha1Id; }
xmlSecTransformId Sha256() { return xmlSecTransformSha256Id; }
xmlSecTransformId Sha384() { return xmlSecTransformSha384Id; }
xmlSecTransformId Sha512() { return xmlSecTransformSha512Id; }
xmlSecTransformId RsaSha1() { return xmlSecTransformRsaSha1Id; }
xmlSecTransformId RsaSha256() { return xmlSecTransformRsaSha256Id; }
xmlSecTransformId RsaSha384() { return xmlSecTransformRsaSha384Id; }
xmlSecTransformId RsaSha512() { return xmlSecTransformRsaSha512Id; }
xmlSecTransformId EcdsaSha1() { return xmlSecTransformEcdsaSha1Id; }
xmlSecTransformId EcdsaSha256() { return xmlSecTransformEcdsaSha256Id; }
xmlSecTransformId EcdsaSha384() { return xmlSecTransformEcdsaSha384Id; }
xmlSecTransformId EcdsaSha512() { return xmlSecTransformEcdsaSha512Id; }

constexpr Algorithm kAlgorithms[] = {
    {"http://www.w3.org/2001/10/xml-exc-c14n#", Kind::kC14n, false, ExcC14n},
    {"http://www.w3.org/2001/10/xml-exc-c14n#WithComments", Kind::kC14n, false, ExcC14nComments},
    {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315", Kind::kC14n, false, InclC14n},
    {"http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments", Kind::kC14n, false,
     InclC14nComments},
    {"http://www.w3.org/2000/09/xmldsig#enveloped-signature", Kind::kEnveloped, false, Enveloped},
    {"http://www.w3.org/2000/09/xmldsig#sha1", Kind::kDigest, true, Sha1},
    {"http://www.w3.org/2001/04/xmlenc#sha256", Kind::kDigest, false, Sha256},
    {"http://www.w3.org/2001/04/xmldsig-more#sha384", Kind::kDigest, false, Sha384},
    {"http://www.w3.org/2001/04/xmlenc#sha512", Kind::kDigest, false, Sha512},
    {"http://www.w3.org/2000/09/xmldsig#rsa-sha1", Kind::kSignature, true, RsaSha1},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha256", Kind::kSignature, false, RsaSha256},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha384", Kind::kSignature, false, RsaSha384},
    {"http://www.w3.org/2001/04/xmldsig-more#rsa-sha512", Kind::kSignature, false, RsaSha512},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha1", Kind::kSignature, true, EcdsaSha1},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256", Kind::kSignature, false, EcdsaSha256},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384", Kind::kSignature, false, EcdsaSha384},
    {"http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512", Kind::kSignature, false, EcdsaSha512},
};

const Algorithm* Find(std::string_view uri) {
  for (const Algorithm& a : kAlgorithms) {
    if (a.uri == uri) return &a;
  }
  return nullptr;
}

std::vector<xmlSecTransformId> Collect(bool allow_sha1, Kind a, Kind b, Kind c) {
  std::vector<xmlSecTransformId> ids;
  for (const Algorithm& alg : kAlgorithms) {
    if ((alg.kind == a || alg.kind == b || alg.kind == c) && (allow_sha1 || !alg.sha1)) {
      ids.push_back(alg.id());
    }
  }
  return ids;
}

// How refusals name the signature of `signed_element`; formatted only when
// one is returned, so an accepted signature costs no message.
std::string SignatureOf(const xmlNode* signed_element) {
  return "the signature of " + DisplayName(signed_element);
}

// The Algorithm attribute of the single `local` child of `parent` (a view
// of the tree or of `scratch`, see AttrView).
Result<std::string_view> AlgorithmOf(xmlNodePtr parent, const char* local, const xmlNode* where,
                                     std::string& scratch) {
  xmlNodePtr node = FirstChild(parent, ns::kDsig, local);
  if (node == nullptr || NextSibling(node, ns::kDsig, local) != nullptr) {
    return MakeError("saml.signature.malformed",
                     SignatureOf(where) + " needs exactly one ds:" + local + ", found " +
                         std::to_string(CountChildren(parent, ns::kDsig, local)));
  }
  auto algorithm = AttrView(node, "Algorithm", scratch);
  if (!algorithm) {
    return MakeError("saml.signature.malformed",
                     SignatureOf(where) + " ds:" + local + " has no Algorithm attribute");
  }
  return *algorithm;
}

Status Refuse(const char* code, const xmlNode* where, const char* element, std::string_view uri,
              const std::string& why) {
  return MakeError(code, SignatureOf(where) + " uses " + element + " " + Quote(uri) + ": " + why);
}

std::string Sha1Hint(const Algorithm* alg) {
  return alg != nullptr && alg->sha1
             ? "SHA-1 is refused unless allow_sha1 = true (better: make the IdP use SHA-256)"
             : "not an accepted algorithm";
}

Status CheckSite(const SignatureSite& site, bool allow_sha1) {
  const xmlNode* where = site.signed_element;
  xmlNodePtr signed_info = FirstChild(site.signature, ns::kDsig, "SignedInfo");
  std::string scratch;

  auto c14n = AlgorithmOf(signed_info, "CanonicalizationMethod", where, scratch);
  if (!c14n) return c14n.error();
  const Algorithm* alg = Find(*c14n);
  if (alg == nullptr || alg->kind != Kind::kC14n) {
    return Refuse("saml.signature.transform", where, "CanonicalizationMethod", *c14n,
                  "only exclusive or inclusive XML canonicalisation 1.0 is accepted");
  }

  auto method = AlgorithmOf(signed_info, "SignatureMethod", where, scratch);
  if (!method) return method.error();
  alg = Find(*method);
  if (method->find("hmac") != std::string_view::npos) {
    return Refuse("saml.signature.algorithm", where, "SignatureMethod", *method,
                  "HMAC signatures are never accepted (they prove nothing about the IdP)");
  }
  if (alg == nullptr || alg->kind != Kind::kSignature || (alg->sha1 && !allow_sha1)) {
    return Refuse("saml.signature.algorithm", where, "SignatureMethod", *method,
                  alg != nullptr && alg->kind == Kind::kSignature
                      ? Sha1Hint(alg)
                      : "accepted are RSA or ECDSA with SHA-256, SHA-384 or SHA-512");
  }

  xmlNodePtr reference = FirstChild(signed_info, ns::kDsig, "Reference");
  int enveloped = 0;
  int c14n_count = 0;
  if (xmlNodePtr transforms = FirstChild(reference, ns::kDsig, "Transforms")) {
    for (xmlNodePtr t = FirstChild(transforms, ns::kDsig, "Transform"); t != nullptr;
         t = NextSibling(t, ns::kDsig, "Transform")) {
      const std::string_view uri = AttrView(t, "Algorithm", scratch).value_or(std::string_view());
      alg = Find(uri);
      if (alg != nullptr && alg->kind == Kind::kEnveloped && enveloped++ == 0) continue;
      if (alg != nullptr && alg->kind == Kind::kC14n && c14n_count++ == 0) continue;
      return Refuse("saml.signature.transform", where, "Transform", uri,
                    "a SAML signature may only use enveloped-signature and one "
                    "canonicalisation (SAML Core 5.4.4)");
    }
  }

  auto digest = AlgorithmOf(reference, "DigestMethod", where, scratch);
  if (!digest) return digest.error();
  alg = Find(*digest);
  if (alg == nullptr || alg->kind != Kind::kDigest || (alg->sha1 && !allow_sha1)) {
    return Refuse("saml.signature.algorithm", where, "DigestMethod", *digest,
                  alg != nullptr && alg->kind == Kind::kDigest
                      ? Sha1Hint(alg)
                      : "accepted are SHA-256, SHA-384 and SHA-512");
  }
  return Ok();
}

}  // namespace

const std::vector<xmlSecTransformId>& AllowedReferenceTransforms(bool allow_sha1) {
  // Built once: the lists never change, and every signature check reads them.
  static const std::vector<xmlSecTransformId> lists[2] = {
      Collect(false, Kind::kEnveloped, Kind::kC14n, Kind::kDigest),
      Collect(true, Kind::kEnveloped, Kind::kC14n, Kind::kDigest)};
  return lists[allow_sha1 ? 1 : 0];
}

const std::vector<xmlSecTransformId>& AllowedSignatureTransforms(bool allow_sha1) {
  static const std::vector<xmlSecTransformId> lists[2] = {
      Collect(false, Kind::kC14n, Kind::kSignature, Kind::kSignature),
      Collect(true, Kind::kC14n, Kind::kSignature, Kind::kSignature)};
  return lists[allow_sha1 ? 1 : 0];
}

Status CheckAlgorithmPolicy(Message& message, const ValidationContext& context) {
  for (SignatureSite& site : message.signatures) {
    if (site.policy_checked) continue;
    if (auto s = CheckSite(site, context.allow_sha1); !s) return s;
    site.policy_checked = true;
  }
  return Ok();
}

}  // namespace vsso::saml::rules
