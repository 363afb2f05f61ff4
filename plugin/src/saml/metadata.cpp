#include "saml/metadata.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlsave.h>

#include <climits>
#include <memory>
#include <set>

#include "common/encoding.hpp"
#include "common/entity_id.hpp"
#include "saml/message.hpp"
#include "saml/response_validator.hpp"
#include "saml/xml_errors.hpp"
#include "saml/xml_util.hpp"

namespace vsso::saml {
namespace {

constexpr char kMdNs[] = "urn:oasis:names:tc:SAML:2.0:metadata";
constexpr char kDsNs[] = "http://www.w3.org/2000/09/xmldsig#";
constexpr char kProtocolNs[] = "urn:oasis:names:tc:SAML:2.0:protocol";
constexpr char kPostBinding[] = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
constexpr char kRedirectBinding[] = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

// What the response validator decrypts, strongest first (XML Encryption 1.1).
constexpr const char* kEncryptionMethods[] = {
    "http://www.w3.org/2009/xmlenc11#aes256-gcm",
    "http://www.w3.org/2009/xmlenc11#aes128-gcm",
    "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
    "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
    "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p",
};
constexpr const char* kNameIdFormats[] = {
    "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
    "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified",
};

// ---- building --------------------------------------------------------------

void AddKeyDescriptor(xmlNode* sp, xmlNs* md, xmlNs* ds, const char* use,
                      const std::string& cert_b64, bool with_encryption_methods) {
  xmlNode* kd = xmlNewChild(sp, md, X("KeyDescriptor"), nullptr);
  xmlNewProp(kd, X("use"), X(use));
  xmlNode* ki = xmlNewChild(kd, ds, X("KeyInfo"), nullptr);
  xmlNode* x509 = xmlNewChild(ki, ds, X("X509Data"), nullptr);
  xmlNewTextChild(x509, ds, X("X509Certificate"), X(cert_b64));
  if (!with_encryption_methods) return;
  for (const char* alg : kEncryptionMethods) {
    xmlNode* em = xmlNewChild(kd, md, X("EncryptionMethod"), nullptr);
    xmlNewProp(em, X("Algorithm"), X(alg));
  }
}

bool IsRsa(const crypto::Certificate& cert) {
  if (cert.public_key) return EVP_PKEY_get_base_id(cert.public_key.get()) == EVP_PKEY_RSA;
  return cert.key_type.rfind("RSA", 0) == 0;
}

// ---- parsing ---------------------------------------------------------------

std::optional<std::string> Attr(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetNoNsProp(n, X(name));
  if (v == nullptr) return std::nullopt;
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// Full text content, across comments and CDATA sections.
std::string Text(xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  if (v == nullptr) return {};
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

bool SupportsSaml2(xmlNode* role) {
  const std::string list = Attr(role, "protocolSupportEnumeration").value_or("");
  std::size_t pos = 0;
  while (pos < list.size()) {
    const auto start = list.find_first_not_of(" \t\r\n", pos);
    if (start == std::string::npos) break;
    auto end = list.find_first_of(" \t\r\n", start);
    if (end == std::string::npos) end = list.size();
    if (list.compare(start, end - start, kProtocolNs) == 0) return true;
    pos = end;
  }
  return false;
}

void CollectEntities(xmlNode* group, std::vector<xmlNode*>& out) {
  for (xmlNode* c = group->children; c != nullptr; c = c->next) {
    if (IsElement(c, kMdNs, "EntityDescriptor")) out.push_back(c);
    if (IsElement(c, kMdNs, "EntitiesDescriptor")) CollectEntities(c, out);
  }
}

std::string NodeName(const xmlNode* n) {
  std::string name = reinterpret_cast<const char*>(n->name);
  if (n->ns != nullptr && n->ns->href != nullptr) {
    return "{" + std::string(reinterpret_cast<const char*>(n->ns->href)) + "}" + name;
  }
  return name;
}

Result<xmlNode*> SelectEntity(xmlNode* root, const std::string& origin) {
  if (IsElement(root, kMdNs, "EntityDescriptor")) return root;
  if (!IsElement(root, kMdNs, "EntitiesDescriptor")) {
    return MakeError("metadata.not_metadata", origin + ": the root element is " + NodeName(root) +
                                                  ", expected {" + kMdNs +
                                                  "}EntityDescriptor or EntitiesDescriptor");
  }
  std::vector<xmlNode*> entities;
  CollectEntities(root, entities);
  std::vector<xmlNode*> idps;
  for (xmlNode* e : entities) {
    if (!Children(e, kMdNs, "IDPSSODescriptor").empty()) idps.push_back(e);
  }
  if (idps.empty()) {
    return MakeError("metadata.no_idp_entity",
                     origin + ": none of the " + std::to_string(entities.size()) +
                         " EntityDescriptor elements has an IDPSSODescriptor");
  }
  if (idps.size() > 1) {
    std::string ids;
    for (std::size_t i = 0; i < idps.size() && i < 3; ++i) {
      ids += (i ? ", \"" : "\"") + Attr(idps[i], "entityID").value_or("") + "\"";
    }
    if (idps.size() > 3) ids += ", ...";
    return MakeError("metadata.ambiguous_idp_entity",
                     origin + ": " + std::to_string(idps.size()) +
                         " EntityDescriptor elements have an IDPSSODescriptor (" + ids +
                         "); expected exactly one, use a file with only the IdP's entity");
  }
  return idps.front();
}

Result<IdpMetadata> ReadEntity(xmlNode* entity, const std::string& origin) {
  IdpMetadata md;
  md.entity_id = TrimXmlSpace(Attr(entity, "entityID").value_or(""));
  if (md.entity_id.empty()) {
    return MakeError("metadata.missing_entity_id",
                     origin + ": EntityDescriptor has no entityID attribute");
  }
  // The same rule as sp_entity_id/idp_entity_id in a config file (SAML
  // Metadata 2.9 anyURI: `urn:...` and plain identifiers are fine).
  if (auto problem = entity_id::Problem(md.entity_id)) {
    std::string shown = md.entity_id.substr(0, 120);
    for (char& c : shown) {
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    }
    return MakeError("metadata.invalid_entity_id",
                     origin + ": the entityID \"" + shown + "\" " + *problem);
  }
  const std::string where = origin + ": entity \"" + md.entity_id + "\": ";

  const auto roles = Children(entity, kMdNs, "IDPSSODescriptor");
  if (roles.empty()) {
    return MakeError("metadata.missing_idp_descriptor", where + "no IDPSSODescriptor");
  }
  xmlNode* idp = nullptr;
  for (xmlNode* r : roles) {
    if (SupportsSaml2(r)) {
      idp = r;
      break;
    }
  }
  if (idp == nullptr) {
    return MakeError(
        "metadata.missing_idp_descriptor",
        where + "no IDPSSODescriptor lists " + kProtocolNs + " in protocolSupportEnumeration");
  }

  std::string bindings_seen;
  for (xmlNode* sso : Children(idp, kMdNs, "SingleSignOnService")) {
    const std::string binding = Attr(sso, "Binding").value_or("");
    if (binding == kRedirectBinding) {
      md.sso_redirect_url = TrimXmlSpace(Attr(sso, "Location").value_or(""));
      if (!md.sso_redirect_url.empty()) break;
    }
    bindings_seen += (bindings_seen.empty() ? "" : ", ") + binding;
  }
  if (md.sso_redirect_url.empty()) {
    return MakeError("metadata.missing_sso_redirect",
                     where + "no SingleSignOnService with Binding " + kRedirectBinding +
                         " and a Location (found: " +
                         (bindings_seen.empty() ? std::string("none") : bindings_seen) + ")");
  }

  // Single logout is optional: without a Redirect-binding endpoint, sign-out
  // ends the chat session only. The first such endpoint with a Location wins.
  for (xmlNode* slo : Children(idp, kMdNs, "SingleLogoutService")) {
    if (Attr(slo, "Binding").value_or("") != kRedirectBinding) continue;
    md.slo_redirect_url = TrimXmlSpace(Attr(slo, "Location").value_or(""));
    if (md.slo_redirect_url.empty()) continue;
    md.slo_redirect_response_url = TrimXmlSpace(Attr(slo, "ResponseLocation").value_or(""));
    break;
  }

  // Metadata 2.4.1.1: a KeyDescriptor without `use` serves both purposes.
  std::set<std::string> seen;
  int index = 0;
  for (xmlNode* kd : Children(idp, kMdNs, "KeyDescriptor")) {
    ++index;
    const auto use = Attr(kd, "use");
    if (use && *use != "signing") continue;
    for (xmlNode* ki : Children(kd, kDsNs, "KeyInfo")) {
      for (xmlNode* data : Children(ki, kDsNs, "X509Data")) {
        for (xmlNode* c : Children(data, kDsNs, "X509Certificate")) {
          auto cert = crypto::ParseCertificateBase64Der(Text(c), origin);
          if (!cert) {
            return MakeError("metadata.bad_certificate",
                             where + "KeyDescriptor #" + std::to_string(index) +
                                 ": X509Certificate: " + cert.error().message);
          }
          if (seen.insert(cert->sha256_fingerprint).second) {
            md.signing_certificates.push_back(std::move(*cert));
          }
        }
      }
    }
  }
  if (md.signing_certificates.empty()) {
    return MakeError("metadata.missing_signing_certificate",
                     where +
                         "IDPSSODescriptor has no KeyDescriptor (use=\"signing\" or no use) "
                         "with a ds:X509Certificate");
  }
  return md;
}

void StopAtDoctype(void* user_data, const xmlChar*, const xmlChar*, const xmlChar*) {
  auto* ctxt = static_cast<xmlParserCtxt*>(user_data);
  *static_cast<bool*>(ctxt->_private) = true;
  xmlStopParser(ctxt);
}

}  // namespace

std::string BuildSpMetadata(const SpMetadataParams& params) {
  InitializeXmlLibraries();
  XmlErrorScope quiet;
  XmlDocPtr doc(xmlNewDoc(X("1.0")));
  xmlNode* root = xmlNewDocNode(doc.get(), nullptr, X("EntityDescriptor"), nullptr);
  xmlDocSetRootElement(doc.get(), root);
  xmlNs* md = xmlNewNs(root, X(kMdNs), X("md"));
  xmlNs* ds = xmlNewNs(root, X(kDsNs), X("ds"));
  xmlSetNs(root, md);
  xmlNewProp(root, X("entityID"), X(params.sp_entity_id));

  xmlNode* sp = xmlNewChild(root, md, X("SPSSODescriptor"), nullptr);
  xmlNewProp(sp, X("AuthnRequestsSigned"), X(params.authn_requests_signed ? "true" : "false"));
  xmlNewProp(sp, X("WantAssertionsSigned"), X("true"));
  xmlNewProp(sp, X("protocolSupportEnumeration"), X(kProtocolNs));

  // Metadata 2.4.1 / 2.4.2 / 2.4.4 schema order: KeyDescriptor*,
  // SingleLogoutService*, NameIDFormat*, AssertionConsumerService+.
  if (params.certificate) {
    const std::string b64 = encoding::Base64Encode(params.certificate->der);
    AddKeyDescriptor(sp, md, ds, "signing", b64, false);
    // Key transport is RSA-OAEP only, so an EC certificate is not offered
    // for encryption.
    if (IsRsa(*params.certificate)) AddKeyDescriptor(sp, md, ds, "encryption", b64, true);
  }
  // SSODescriptorType order: SingleLogoutService before NameIDFormat.
  if (!params.slo_url.empty()) {
    xmlNode* slo = xmlNewChild(sp, md, X("SingleLogoutService"), nullptr);
    xmlNewProp(slo, X("Binding"), X(kRedirectBinding));
    xmlNewProp(slo, X("Location"), X(params.slo_url));
  }
  for (const char* format : kNameIdFormats) {
    xmlNewTextChild(sp, md, X("NameIDFormat"), X(format));
  }
  xmlNode* acs = xmlNewChild(sp, md, X("AssertionConsumerService"), nullptr);
  xmlNewProp(acs, X("Binding"), X(kPostBinding));
  xmlNewProp(acs, X("Location"), X(params.acs_url));
  xmlNewProp(acs, X("index"), X("0"));
  xmlNewProp(acs, X("isDefault"), X("true"));

  std::unique_ptr<xmlBuffer, XmlBufferFree> buf(xmlBufferCreate());
  xmlSaveCtxt* save = xmlSaveToBuffer(buf.get(), "UTF-8", XML_SAVE_FORMAT);
  xmlSaveDoc(save, doc.get());
  xmlSaveClose(save);
  return std::string(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                     static_cast<std::size_t>(xmlBufferLength(buf.get())));
}

Result<XmlDocPtr> ParseMetadataDocument(std::string_view xml, const std::string& origin) {
  if (xml.size() > static_cast<std::size_t>(INT_MAX)) {
    return MakeError("metadata.too_large", origin + ": " + std::to_string(xml.size()) +
                                               " bytes is more than libxml2 can read at once");
  }
  std::unique_ptr<xmlParserCtxt, XmlParserCtxtFree> ctxt(xmlNewParserCtxt());
  if (!ctxt) return MakeError("metadata.not_xml", origin + ": cannot create an XML parser");
  // A DTD can declare entities, load an external subset and default
  // attributes, xmlns included, so the parse stops at the DOCTYPE itself,
  // before any of that happens (xmlsec notes, "Parsing").
  bool saw_doctype = false;
  ctxt->_private = &saw_doctype;
  ctxt->sax->internalSubset = StopAtDoctype;
  // No network, no entity substitution, no external DTD.
  XmlDocPtr doc(xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()), nullptr,
                                  nullptr,
                                  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING));
  if (saw_doctype) {
    return MakeError("metadata.doctype_refused", origin + ": metadata with a DOCTYPE is refused");
  }
  if (!doc) {
    const xmlError& e = ctxt->lastError;
    std::string why = e.message != nullptr ? TrimXmlSpace(e.message) : "not well-formed";
    return MakeError("metadata.not_xml", origin + ": not well-formed XML at line " +
                                             std::to_string(e.line) + ": " + why);
  }
  if (xmlDocGetRootElement(doc.get()) == nullptr) {
    return MakeError("metadata.not_xml", origin + ": no root element");
  }
  return doc;
}

Result<IdpMetadata> ParseIdpMetadata(std::string_view xml, const std::string& origin) {
  InitializeXmlLibraries();
  XmlErrorScope quiet;
  auto doc = ParseMetadataDocument(xml, origin);
  if (!doc) return std::move(doc).error();
  auto entity = SelectEntity(xmlDocGetRootElement(doc->get()), origin);
  if (!entity) return std::move(entity).error();
  return ReadEntity(*entity, origin);
}

}  // namespace vsso::saml
