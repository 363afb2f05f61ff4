#include "saml/authn_request.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <optional>

#include "common/deflate.hpp"
#include "common/encoding.hpp"
#include "common/time.hpp"
#include "common/url.hpp"
#include "saml/redirect_binding.hpp"
#include "saml/response_validator.hpp"
#include "saml/xml_errors.hpp"
#include "saml/xml_util.hpp"

namespace vsso::saml {
namespace {

constexpr char kProtocolNs[] = "urn:oasis:names:tc:SAML:2.0:protocol";
constexpr char kAssertionNs[] = "urn:oasis:names:tc:SAML:2.0:assertion";
constexpr char kPostBinding[] = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
constexpr char kRsaSha256[] = "http://www.w3.org/2001/04/xmldsig-more#rsa-sha256";
constexpr char kEcdsaSha256[] = "http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256";
// Bindings 3.4.3: RelayState MUST NOT exceed 80 bytes.
constexpr std::size_t kMaxRelayState = 80;
constexpr std::size_t kMaxInflatedRequest = 256 * 1024;

bool IsHttpUrl(const std::string& s) {
  return s.rfind("https://", 0) == 0 || s.rfind("http://", 0) == 0;
}

// xs:ID is an NCName: it must not start with a digit, hence the underscore.
Result<std::string> NewRequestId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return MakeError("saml.authn_request.random_failed", "RAND_bytes: " + OpenSslError());
  }
  return "_" + encoding::HexLower(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

// Built as a libxml2 tree so every value is escaped by the serialiser.
Result<std::string> RequestXml(const AuthnRequestParams& p, const std::string& id) {
  InitializeXmlLibraries();
  XmlErrorScope quiet;  // xmlSave reports e.g. invalid UTF-8 in a configured value
  XmlDocPtr doc(xmlNewDoc(X("1.0")));
  if (!doc) return MakeError("saml.authn_request.xml_failed", "xmlNewDoc failed");
  xmlNode* root = xmlNewDocNode(doc.get(), nullptr, X("AuthnRequest"), nullptr);
  xmlDocSetRootElement(doc.get(), root);
  xmlNs* samlp = xmlNewNs(root, X(kProtocolNs), X("samlp"));
  xmlNs* saml = xmlNewNs(root, X(kAssertionNs), X("saml"));
  xmlSetNs(root, samlp);
  xmlNewProp(root, X("ID"), X(id));
  xmlNewProp(root, X("Version"), X("2.0"));
  xmlNewProp(root, X("IssueInstant"), X(time::FormatUtc(p.now)));
  xmlNewProp(root, X("Destination"), X(p.idp_sso_url));
  xmlNewProp(root, X("AssertionConsumerServiceURL"), X(p.acs_url));
  xmlNewProp(root, X("ProtocolBinding"), X(kPostBinding));
  if (p.force_authn) xmlNewProp(root, X("ForceAuthn"), X("true"));
  if (p.is_passive) xmlNewProp(root, X("IsPassive"), X("true"));
  // Core 3.4.1: Issuer, then NameIDPolicy, in schema order.
  xmlNewTextChild(root, saml, X("Issuer"), X(p.sp_entity_id));
  xmlNode* policy = xmlNewChild(root, samlp, X("NameIDPolicy"), nullptr);
  if (!p.name_id_format.empty()) xmlNewProp(policy, X("Format"), X(p.name_id_format));
  xmlNewProp(policy, X("AllowCreate"), X("true"));

  std::unique_ptr<xmlBuffer, XmlBufferFree> buf(xmlBufferCreate());
  xmlSaveCtxt* save = xmlSaveToBuffer(buf.get(), "UTF-8", XML_SAVE_NO_DECL);
  if (save == nullptr) return MakeError("saml.authn_request.xml_failed", "xmlSaveToBuffer failed");
  const long written = xmlSaveDoc(save, doc.get());
  xmlSaveClose(save);
  if (written < 0)
    return MakeError("saml.authn_request.xml_failed", "cannot serialise the request");
  std::string xml(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                  static_cast<std::size_t>(xmlBufferLength(buf.get())));
  while (!xml.empty() && xml.back() == '\n') xml.pop_back();
  return xml;
}

// The SigAlg URI for a key (XML-DSig algorithm identifiers, RFC 6931 2.3).
Result<std::string> SigAlgFor(const crypto::PrivateKey& key) {
  if (!key.key) return MakeError("saml.authn_request.missing_key", "the SP private key is empty");
  switch (EVP_PKEY_get_base_id(key.key.get())) {
    case EVP_PKEY_RSA:
      return std::string(kRsaSha256);
    case EVP_PKEY_EC:
      return std::string(kEcdsaSha256);
    default:
      return MakeError(
          "saml.authn_request.unsupported_key",
          "the SP private key is " +
              (key.key_type.empty() ? std::string("of an unknown type") : key.key_type) +
              "; expected an RSA or EC key");
  }
}

}  // namespace

Result<BuiltRequest> BuildRedirectAuthnRequest(const AuthnRequestParams& params) {
  if (params.sp_entity_id.empty()) {
    return MakeError("saml.authn_request.missing_sp_entity_id", "the SP entity ID is empty");
  }
  if (!IsHttpUrl(params.acs_url)) {
    return MakeError("saml.authn_request.bad_acs_url",
                     "the ACS URL must be an http(s) URL, got \"" + params.acs_url + "\"");
  }
  if (!IsHttpUrl(params.idp_sso_url)) {
    return MakeError(
        "saml.authn_request.bad_idp_sso_url",
        "the IdP sign-in URL must be an http(s) URL, got \"" + params.idp_sso_url + "\"");
  }
  if (params.relay_state.size() > kMaxRelayState) {
    return MakeError("saml.authn_request.relay_state_too_long",
                     "RelayState is " + std::to_string(params.relay_state.size()) +
                         " bytes; the HTTP-Redirect binding allows at most 80 (Bindings 3.4.3)");
  }
  std::string sig_alg;
  if (params.sign) {
    if (!params.key) {
      return MakeError("saml.authn_request.missing_key",
                       "signed requests are enabled but no SP private key is configured");
    }
    auto alg = SigAlgFor(*params.key);
    if (!alg) return std::move(alg).error();
    sig_alg = std::move(*alg);
  }

  BuiltRequest built;
  auto id = NewRequestId();
  if (!id) return std::move(id).error();
  built.id = std::move(*id);
  auto xml = RequestXml(params, built.id);
  if (!xml) return std::move(xml).error();
  built.xml = std::move(*xml);

  // Bindings 3.4.4.1: DEFLATE, base64, then URL-encode.
  auto deflated = deflate::Compress(built.xml);
  if (!deflated) return std::move(deflated).error();
  url::QueryParams query{{"SAMLRequest", encoding::Base64Encode(*deflated)}};
  if (!params.relay_state.empty()) query.emplace_back("RelayState", params.relay_state);
  if (params.sign) {
    query.emplace_back("SigAlg", sig_alg);
    // The signed octets are the encoded parameters in this order, exactly
    // as AppendQuery writes them (both use EncodeQueryValue).
    std::string signed_octets;
    for (const auto& [key, value] : query) {
      if (!signed_octets.empty()) signed_octets += '&';
      signed_octets += key + "=" + url::EncodeQueryValue(value);
    }
    auto sig =
        SignRedirectSha256(params.key->key.get(), signed_octets, "saml.authn_request.sign_failed");
    if (!sig) return std::move(sig).error();
    query.emplace_back("Signature", encoding::Base64Encode(*sig));
  }
  auto redirect = url::AppendQuery(params.idp_sso_url, query);
  if (!redirect) {
    return MakeError("saml.authn_request.bad_idp_sso_url", redirect.error().message);
  }
  built.redirect_url = std::move(*redirect);
  return built;
}

Result<bool> VerifyRedirectSignature(std::string_view query_string,
                                     const crypto::Certificate& certificate) {
  if (!query_string.empty() && query_string.front() == '?') query_string.remove_prefix(1);
  auto raw = url::SplitQuery(query_string);
  if (!raw) return MakeError("saml.redirect.bad_query", raw.error().message);
  auto decoded = url::ParseQuery(query_string);
  if (!decoded) return MakeError("saml.redirect.bad_query", decoded.error().message);

  // Index of each parameter of interest; a repeated one is ambiguous.
  const char* names[] = {"SAMLRequest", "SAMLResponse", "RelayState", "SigAlg", "Signature"};
  std::optional<std::size_t> at[5];
  for (std::size_t i = 0; i < decoded->size(); ++i) {
    for (std::size_t n = 0; n < 5; ++n) {
      if ((*decoded)[i].first != names[n]) continue;
      if (at[n]) {
        return MakeError("saml.redirect.duplicate_param",
                         std::string("parameter ") + names[n] + " appears more than once");
      }
      at[n] = i;
    }
  }
  if (at[0].has_value() == at[1].has_value()) {
    return MakeError("saml.redirect.missing_param",
                     "expected exactly one of SAMLRequest and SAMLResponse");
  }
  if (!at[3] || !at[4]) {
    return MakeError(
        "saml.redirect.missing_param",
        std::string("the query has no ") + (!at[3] ? "SigAlg" : "Signature") + " parameter");
  }

  const std::string& sig_alg = (*decoded)[*at[3]].second;
  int expected_key = 0;
  if (sig_alg == kRsaSha256) {
    expected_key = EVP_PKEY_RSA;
  } else if (sig_alg == kEcdsaSha256) {
    expected_key = EVP_PKEY_EC;
  } else {
    return MakeError("saml.redirect.unsupported_algorithm", "SigAlg \"" + sig_alg +
                                                                "\" is not supported; expected " +
                                                                kRsaSha256 + " or " + kEcdsaSha256);
  }
  EVP_PKEY* pkey = certificate.public_key.get();
  if (pkey == nullptr || EVP_PKEY_get_base_id(pkey) != expected_key) {
    return MakeError(
        "saml.redirect.key_mismatch",
        "SigAlg " + sig_alg + " does not match the certificate's " + certificate.key_type + " key");
  }
  auto signature = encoding::Base64Decode((*decoded)[*at[4]].second);
  if (!signature) {
    return MakeError("saml.redirect.bad_signature_encoding",
                     "the Signature parameter is not base64");
  }

  // Bindings 3.4.4.1: the octets as received, in this fixed order.
  const auto& r = *raw;
  std::string octets =
      (at[0] ? "SAMLRequest=" + r[*at[0]].second : "SAMLResponse=" + r[*at[1]].second);
  if (at[2]) octets += "&RelayState=" + r[*at[2]].second;
  octets += "&SigAlg=" + r[*at[3]].second;

  std::unique_ptr<EVP_MD_CTX, EvpMdCtxFree> ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, pkey) != 1) {
    return MakeError("saml.redirect.key_mismatch",
                     "cannot verify with the certificate's key: " + OpenSslError());
  }
  const int rc = EVP_DigestVerify(
      ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
      reinterpret_cast<const unsigned char*>(octets.data()), octets.size());
  ERR_clear_error();
  return rc == 1;
}

Result<std::string> DecodeRedirectRequest(std::string_view samlrequest_param_decoded) {
  auto deflated = encoding::Base64Decode(samlrequest_param_decoded);
  if (!deflated) {
    return MakeError("saml.redirect.bad_base64", "SAMLRequest: " + deflated.error().message);
  }
  return deflate::Inflate(*deflated, kMaxInflatedRequest);
}

}  // namespace vsso::saml
