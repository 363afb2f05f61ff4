#include "support/test_idp.hpp"

#include <time.h>

#include <memory>
#include <stdexcept>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/keysmngr.h>
#include <xmlsec/openssl/app.h>
#include <xmlsec/openssl/crypto.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/templates.h>
#include <xmlsec/transforms.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmlenc.h>

#include "common/encoding.hpp"

namespace vsso::testing {
namespace {

const xmlChar* X(const char* s) { return reinterpret_cast<const xmlChar*>(s); }
const char* C(const xmlChar* s) { return reinterpret_cast<const char*>(s); }

[[noreturn]] void Fail(const std::string& what) { throw std::runtime_error("test IdP: " + what); }

struct DocDeleter {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
struct DSigCtxDeleter {
  void operator()(xmlSecDSigCtx* c) const { xmlSecDSigCtxDestroy(c); }
};
struct EncCtxDeleter {
  void operator()(xmlSecEncCtx* c) const { xmlSecEncCtxDestroy(c); }
};
struct KeysMngrDeleter {
  void operator()(xmlSecKeysMngr* m) const { xmlSecKeysMngrDestroy(m); }
};
struct KeyDeleter {
  void operator()(xmlSecKey* k) const { xmlSecKeyDestroy(k); }
};
using DocPtr = std::unique_ptr<xmlDoc, DocDeleter>;
using KeyPtr = std::unique_ptr<xmlSecKey, KeyDeleter>;

DocPtr Parse(const std::string& xml) {
  saml::InitializeXmlLibraries();
  // No blank removal: whitespace inside what gets signed must survive as is.
  DocPtr doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "test-idp.xml", nullptr,
                           XML_PARSE_NONET));
  if (!doc) Fail("the XML to sign does not parse");
  return doc;
}

std::string Serialize(xmlDoc* doc) {
  xmlChar* buffer = nullptr;
  int size = 0;
  // An explicit UTF-8 encoding keeps non-ASCII text as raw UTF-8 instead of
  // character references.
  xmlDocDumpMemoryEnc(doc, &buffer, &size, "UTF-8");
  if (buffer == nullptr) Fail("serialisation failed");
  std::string out(C(buffer), static_cast<std::size_t>(size));
  xmlFree(buffer);
  return out;
}

// Nothing is an ID until registered (see notes): register every ID attribute
// so a Reference "#id" resolves; a duplicate keeps the first registration.
void RegisterIds(xmlNode* node) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    for (xmlAttr* a = n->properties; a != nullptr; a = a->next) {
      if (a->ns == nullptr && xmlStrEqual(a->name, X("ID"))) {
        xmlChar* value = xmlNodeListGetString(n->doc, a->children, 1);
        if (value != nullptr && xmlGetID(n->doc, value) == nullptr)
          xmlAddID(nullptr, n->doc, value, a);
        xmlFree(value);
      }
    }
    RegisterIds(n->children);
  }
}

xmlNode* FindById(xmlNode* node, const std::string& id) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    xmlChar* value = xmlGetNoNsProp(n, X("ID"));
    bool match = value != nullptr && id == C(value);
    xmlFree(value);
    if (match) return n;
    if (xmlNode* found = FindById(n->children, id)) return found;
  }
  return nullptr;
}

xmlNode* FindElementNs(xmlNode* node, const char* ns, const char* local) {
  for (xmlNode* n = node; n != nullptr; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (n->ns != nullptr && xmlStrEqual(n->ns->href, X(ns)) && xmlStrEqual(n->name, X(local)))
      return n;
    if (xmlNode* found = FindElementNs(n->children, ns, local)) return found;
  }
  return nullptr;
}

xmlNode* FirstElementChild(xmlNode* parent) {
  for (xmlNode* n = parent->children; n != nullptr; n = n->next) {
    if (n->type == XML_ELEMENT_NODE) return n;
  }
  return nullptr;
}

xmlSecTransformId TransformByHref(const std::string& href) {
  xmlSecTransformId id = xmlSecTransformIdListFindByHref(xmlSecTransformIdsGet(), X(href.c_str()),
                                                         xmlSecTransformUsageAny);
  if (id == xmlSecTransformIdUnknown) Fail("xmlsec knows no algorithm " + href);
  return id;
}

KeyPtr AdoptKey(EVP_PKEY* pkey) {
  EVP_PKEY_up_ref(pkey);
  xmlSecKeyDataPtr data = xmlSecOpenSSLEvpKeyAdopt(pkey);
  if (data == nullptr) {
    EVP_PKEY_free(pkey);
    Fail("xmlSecOpenSSLEvpKeyAdopt failed");
  }
  KeyPtr key(xmlSecKeyCreate());
  if (!key || xmlSecKeySetValue(key.get(), data) < 0) {
    xmlSecKeyDataDestroy(data);
    Fail("xmlSecKeySetValue failed");
  }
  return key;
}

void AddXsltIdentity(xmlNode* transform) {
  xmlNode* sheet = xmlNewChild(transform, nullptr, X("stylesheet"), nullptr);
  xmlNs* xsl = xmlNewNs(sheet, X("http://www.w3.org/1999/XSL/Transform"), X("xsl"));
  xmlSetNs(sheet, xsl);
  xmlSetProp(sheet, X("version"), X("1.0"));
  xmlNode* tmpl = xmlNewChild(sheet, xsl, X("template"), nullptr);
  xmlSetProp(tmpl, X("match"), X("/"));
  xmlNode* copy = xmlNewChild(tmpl, xsl, X("copy-of"), nullptr);
  xmlSetProp(copy, X("select"), X("."));
}

std::string EscapeText(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\r':
        out += "&#13;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

bool IsNameEnd(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/';
}

std::size_t FindStartTag(const std::string& xml, const std::string& qname, std::size_t from) {
  const std::string open = "<" + qname;
  for (std::size_t p = xml.find(open, from); p != std::string::npos; p = xml.find(open, p + 1)) {
    std::size_t after = p + open.size();
    if (after < xml.size() && IsNameEnd(xml[after])) return p;
  }
  return std::string::npos;
}

}  // namespace

std::string EscapeAttr(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\r':
        out += "&#13;";
        break;
      case '\n':
        out += "&#10;";
        break;
      case '\t':
        out += "&#9;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string Attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + EscapeAttr(value) + "\"";
}

std::string FormatInstant(UnixSeconds t) {
  time_t tt = static_cast<time_t>(t);
  struct tm tm {};
  gmtime_r(&tt, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string RandomId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) Fail("RAND_bytes failed");
  return "_" +
         encoding::HexLower(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string SignXmlString(const std::string& xml, const std::string& element_id,
                          const SignOptions& options) {
  DocPtr doc = Parse(xml);
  xmlNode* root = xmlDocGetRootElement(doc.get());
  RegisterIds(root);
  xmlNode* target = FindById(root, element_id);
  if (target == nullptr) Fail("no element with ID " + element_id);

  std::string signature_method = options.signature_method;
  if (options.hmac_key) {
    if (signature_method.empty()) signature_method = kHmacSha256;
  } else if (options.key == nullptr) {
    Fail("SignOptions without key");
  } else if (signature_method.empty()) {
    signature_method = options.key->kind() == KeyKind::kEcP256 ? kEcdsaSha256 : kRsaSha256;
  }
  xmlSecTransformId c14n = TransformByHref(options.c14n_method);
  xmlNode* signature = xmlSecTmplSignatureCreateNsPref(
      doc.get(), c14n, TransformByHref(signature_method), nullptr, X("ds"));
  if (signature == nullptr) Fail("xmlSecTmplSignatureCreate failed");

  // SAML schemas put ds:Signature right after Issuer (Core 2.3.3, 3.2.1).
  xmlNode* issuer = FirstElementChild(target);
  if (issuer != nullptr && xmlStrEqual(issuer->name, X("Issuer"))) {
    xmlAddNextSibling(issuer, signature);
  } else if (issuer != nullptr) {
    xmlAddPrevSibling(issuer, signature);
  } else {
    xmlAddChild(target, signature);
  }

  std::string uri = options.reference_uri.value_or("#" + element_id);
  xmlNode* reference = xmlSecTmplSignatureAddReference(
      signature, TransformByHref(options.digest_method), nullptr, X(uri.c_str()), nullptr);
  if (reference == nullptr ||
      xmlSecTmplReferenceAddTransform(reference, xmlSecTransformEnvelopedId) == nullptr)
    Fail("reference template failed");
  if (options.extra_transform == ExtraTransform::kXPath) {
    // XPath filtering works on a node set, so it runs before canonicalisation.
    xmlNode* t = xmlSecTmplReferenceAddTransform(reference, xmlSecTransformXPathId);
    const xmlChar* ns_list[] = {X("ds"), X("http://www.w3.org/2000/09/xmldsig#"), nullptr};
    if (t == nullptr ||
        xmlSecTmplTransformAddXPath(t, X("not(ancestor-or-self::ds:Signature)"), ns_list) < 0)
      Fail("XPath transform template failed");
  }
  if (xmlSecTmplReferenceAddTransform(reference, c14n) == nullptr) Fail("c14n transform failed");
  if (options.extra_transform == ExtraTransform::kXslt) {
    xmlNode* t = xmlSecTmplReferenceAddTransform(reference, xmlSecTransformXsltId);
    if (t == nullptr) Fail("XSLT transform template failed");
    AddXsltIdentity(t);
  }

  if (options.key_info != KeyInfoMode::kNone) {
    xmlNode* key_info = xmlSecTmplSignatureEnsureKeyInfo(signature, nullptr);
    if (options.key_info == KeyInfoMode::kKeyValue) {
      if (xmlSecTmplKeyInfoAddKeyValue(key_info) == nullptr) Fail("KeyValue template failed");
    } else {
      // Written by hand so a test can put any certificate there (xmlsec would
      // only write the signing key's own).
      const TestKey* cert =
          options.key_info_certificate != nullptr ? options.key_info_certificate : options.key;
      if (cert == nullptr) Fail("no certificate for X509Data");
      xmlNode* x509 = xmlSecTmplKeyInfoAddX509Data(key_info);
      if (x509 == nullptr) Fail("X509Data template failed");
      std::string b64 = cert->CertificateBase64();
      xmlNewTextChild(x509, x509->ns, X("X509Certificate"), X(b64.c_str()));
    }
  }

  KeyPtr key;
  if (options.hmac_key) {
    key.reset(xmlSecKeyReadMemory(xmlSecOpenSSLKeyDataHmacId,
                                  reinterpret_cast<const xmlSecByte*>(options.hmac_key->data()),
                                  options.hmac_key->size()));
    if (!key) Fail("HMAC key creation failed");
  } else {
    key = AdoptKey(options.key->pkey());
  }
  std::unique_ptr<xmlSecDSigCtx, DSigCtxDeleter> ctx(xmlSecDSigCtxCreate(nullptr));
  if (!ctx) Fail("xmlSecDSigCtxCreate failed");
  ctx->signKey = key.release();
  if (xmlSecDSigCtxSign(ctx.get(), signature) < 0) Fail("xmlSecDSigCtxSign failed");
  return Serialize(doc.get());
}

namespace {

// Replaces the first saml:<local> of `xml` by saml:<wrapper_name> holding its
// xenc:EncryptedData (SAML Core 2.2.4 EncryptedElementType).
std::string EncryptFirstElement(const std::string& xml, const char* local, const char* wrapper_name,
                                const EncryptOptions& options) {
  if (options.recipient == nullptr) Fail("EncryptOptions without recipient");
  DocPtr doc = Parse(xml);
  xmlNode* element = FindElementNs(xmlDocGetRootElement(doc.get()), kAssertionNs, local);
  if (element == nullptr) Fail(std::string("no saml:") + local + " to encrypt");

  // The wrapper takes the element's place (Core 2.3.4, 2.2.4) and declares
  // its own namespace: an Assertion's declaration leaves with it.
  xmlNode* wrapper = xmlNewDocNode(doc.get(), nullptr, X(wrapper_name), nullptr);
  xmlNs* ns = xmlNewNs(wrapper, X(kAssertionNs), element->ns->prefix);
  xmlSetNs(wrapper, ns);
  xmlReplaceNode(element, wrapper);
  xmlAddChild(wrapper, element);

  // xmlenc11#rsa-oaep with its defaults (SHA-1 digest, MGF1-SHA1) is the same
  // computation as rsa-oaep-mgf1p, which is all xmlsec 1.2 can produce; the
  // Algorithm URI is rewritten after encryption.
  std::string transport =
      options.key_transport == kRsaOaep11 ? std::string(kRsaOaepMgf1p) : options.key_transport;
  xmlNode* enc_data = xmlSecTmplEncDataCreate(doc.get(), TransformByHref(options.data_algorithm),
                                              nullptr, xmlSecTypeEncElement, nullptr, nullptr);
  if (enc_data == nullptr || xmlSecTmplEncDataEnsureCipherValue(enc_data) == nullptr)
    Fail("EncryptedData template failed");
  xmlNode* key_info = xmlSecTmplEncDataEnsureKeyInfo(enc_data, nullptr);
  xmlNode* enc_key = key_info == nullptr
                         ? nullptr
                         : xmlSecTmplKeyInfoAddEncryptedKey(key_info, TransformByHref(transport),
                                                            nullptr, nullptr, nullptr);
  if (enc_key == nullptr || xmlSecTmplEncDataEnsureCipherValue(enc_key) == nullptr) {
    xmlFreeNode(enc_data);
    Fail("EncryptedKey template failed");
  }

  // The recipient's public key as published in its certificate.
  const std::string& der = options.recipient->certificate_der();
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509* cert = d2i_X509(nullptr, &p, static_cast<long>(der.size()));
  EVP_PKEY* public_key = cert == nullptr ? nullptr : X509_get0_pubkey(cert);
  if (public_key == nullptr) {
    X509_free(cert);
    xmlFreeNode(enc_data);
    Fail("recipient certificate unreadable");
  }
  KeyPtr recipient_key = AdoptKey(public_key);
  X509_free(cert);

  std::unique_ptr<xmlSecKeysMngr, KeysMngrDeleter> manager(xmlSecKeysMngrCreate());
  if (!manager || xmlSecOpenSSLAppDefaultKeysMngrInit(manager.get()) < 0 ||
      xmlSecOpenSSLAppDefaultKeysMngrAdoptKey(manager.get(), recipient_key.get()) < 0) {
    xmlFreeNode(enc_data);
    Fail("keys manager setup failed");
  }
  recipient_key.release();

  std::unique_ptr<xmlSecEncCtx, EncCtxDeleter> ctx(xmlSecEncCtxCreate(manager.get()));
  if (!ctx) {
    xmlFreeNode(enc_data);
    Fail("xmlSecEncCtxCreate failed");
  }
  const bool aes256 = options.data_algorithm.find("aes256") != std::string::npos;
  ctx->encKey =
      xmlSecKeyGenerate(xmlSecOpenSSLKeyDataAesId, aes256 ? 256 : 128, xmlSecKeyDataTypeSession);
  if (ctx->encKey == nullptr) {
    xmlFreeNode(enc_data);
    Fail("session key generation failed");
  }
  if (xmlSecEncCtxXmlEncrypt(ctx.get(), enc_data, element) < 0) {
    if (enc_data->parent == nullptr) xmlFreeNode(enc_data);  // not yet in the document
    Fail("xmlSecEncCtxXmlEncrypt failed");
  }
  std::string out = Serialize(doc.get());
  if (options.key_transport == kRsaOaep11) {
    out = ReplaceFirst(out, std::string("Algorithm=\"") + kRsaOaepMgf1p + "\"",
                       std::string("Algorithm=\"") + kRsaOaep11 + "\"");
  }
  return out;
}

}  // namespace

std::string EncryptAssertionString(const std::string& xml, const EncryptOptions& options) {
  return EncryptFirstElement(xml, "Assertion", "EncryptedAssertion", options);
}

std::string EncryptNameIdString(const std::string& xml, const EncryptOptions& options) {
  return EncryptFirstElement(xml, "NameID", "EncryptedID", options);
}

// ---- ResponseBuilder ----------------------------------------------------------

ResponseBuilder::ResponseBuilder() : response_id_(RandomId()), assertion_id_(RandomId()) {}

ResponseBuilder& ResponseBuilder::ResponseId(std::string id) {
  response_id_ = std::move(id);
  return *this;
}
ResponseBuilder& ResponseBuilder::AssertionId(std::string id) {
  assertion_id_ = std::move(id);
  return *this;
}
ResponseBuilder& ResponseBuilder::IssueInstant(UnixSeconds t) {
  issue_instant_ = t;
  return *this;
}
ResponseBuilder& ResponseBuilder::ResponseIssuer(std::optional<std::string> issuer) {
  response_issuer_ = std::move(issuer);
  return *this;
}
ResponseBuilder& ResponseBuilder::AssertionIssuer(std::string issuer) {
  assertion_issuer_ = std::move(issuer);
  return *this;
}
ResponseBuilder& ResponseBuilder::Destination(std::optional<std::string> destination) {
  destination_ = std::move(destination);
  return *this;
}
ResponseBuilder& ResponseBuilder::InResponseTo(std::optional<std::string> request_id) {
  in_response_to_ = request_id;
  subject_in_response_to_ = std::move(request_id);
  return *this;
}
ResponseBuilder& ResponseBuilder::Status(std::string code, std::string message,
                                         std::string second_level_code) {
  status_code_ = std::move(code);
  status_message_ = std::move(message);
  second_status_code_ = std::move(second_level_code);
  return *this;
}
ResponseBuilder& ResponseBuilder::ExtensionsXml(std::string xml) {
  extensions_xml_ = std::move(xml);
  return *this;
}
ResponseBuilder& ResponseBuilder::NameId(std::string value, std::string format) {
  name_id_ = std::move(value);
  name_id_format_ = std::move(format);
  return *this;
}
ResponseBuilder& ResponseBuilder::NameIdQualifiers(std::optional<std::string> name_qualifier,
                                                   std::optional<std::string> sp_name_qualifier) {
  name_qualifier_ = std::move(name_qualifier);
  sp_name_qualifier_ = std::move(sp_name_qualifier);
  sp_name_qualifier_set_ = true;
  return *this;
}
ResponseBuilder& ResponseBuilder::EncryptNameId(std::optional<EncryptOptions> options) {
  encrypt_name_id_ = std::move(options);
  return *this;
}
ResponseBuilder& ResponseBuilder::Recipient(std::string recipient) {
  recipient_ = std::move(recipient);
  return *this;
}
ResponseBuilder& ResponseBuilder::SubjectNotOnOrAfter(UnixSeconds t) {
  subject_not_on_or_after_ = t;
  return *this;
}
ResponseBuilder& ResponseBuilder::SubjectInResponseTo(std::optional<std::string> request_id) {
  subject_in_response_to_ = std::move(request_id);
  return *this;
}
ResponseBuilder& ResponseBuilder::NotBefore(UnixSeconds t) {
  not_before_ = t;
  return *this;
}
ResponseBuilder& ResponseBuilder::NotOnOrAfter(UnixSeconds t) {
  not_on_or_after_ = t;
  return *this;
}
ResponseBuilder& ResponseBuilder::AudienceRestriction(std::vector<std::string> audiences) {
  if (!audiences_replaced_) {
    audiences_.clear();
    audiences_replaced_ = true;
  }
  audiences_.push_back(std::move(audiences));
  return *this;
}
ResponseBuilder& ResponseBuilder::SessionIndex(std::string index) {
  session_index_ = std::move(index);
  return *this;
}
ResponseBuilder& ResponseBuilder::SessionNotOnOrAfter(std::optional<UnixSeconds> t) {
  session_not_on_or_after_ = t;
  return *this;
}
ResponseBuilder& ResponseBuilder::Attribute(AttributeSpec attribute) {
  attributes_.push_back(std::move(attribute));
  return *this;
}
ResponseBuilder& ResponseBuilder::Prefixes(std::string protocol_prefix,
                                           std::string assertion_prefix) {
  if (!protocol_prefix.empty() && protocol_prefix == assertion_prefix)
    Fail("protocol and assertion namespaces need different prefixes");
  protocol_prefix_ = std::move(protocol_prefix);
  assertion_prefix_ = std::move(assertion_prefix);
  return *this;
}
ResponseBuilder& ResponseBuilder::SignAssertion(std::optional<SignOptions> options) {
  sign_assertion_ = std::move(options);
  return *this;
}
ResponseBuilder& ResponseBuilder::SignResponse(std::optional<SignOptions> options) {
  sign_response_ = std::move(options);
  return *this;
}
ResponseBuilder& ResponseBuilder::Encrypt(std::optional<EncryptOptions> options) {
  encrypt_ = std::move(options);
  return *this;
}
ResponseBuilder& ResponseBuilder::BeforeSigning(std::function<void(std::string&)> edit) {
  edits_.push_back(std::move(edit));
  return *this;
}

std::string ResponseBuilder::BuildUnsigned() const {
  auto p = [&](const char* local) {
    return protocol_prefix_.empty() ? std::string(local) : protocol_prefix_ + ":" + local;
  };
  auto a = [&](const char* local) {
    return assertion_prefix_.empty() ? std::string(local) : assertion_prefix_ + ":" + local;
  };
  auto ns_decl = [](const std::string& prefix, const char* uri) {
    return (prefix.empty() ? std::string(" xmlns") : " xmlns:" + prefix) + "=\"" + uri + "\"";
  };
  // An assertion-namespace child of a protocol element needs its own default
  // namespace declaration when the assertion namespace is the default one.
  const std::string a_local_ns =
      assertion_prefix_.empty() ? ns_decl(assertion_prefix_, kAssertionNs) : std::string();
  const std::string now = FormatInstant(issue_instant_);

  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<" + p("Response") + ns_decl(protocol_prefix_, kProtocolNs);
  if (!assertion_prefix_.empty()) x += ns_decl(assertion_prefix_, kAssertionNs);
  x += Attr("ID", response_id_) + Attr("Version", "2.0") + Attr("IssueInstant", now);
  if (destination_) x += Attr("Destination", *destination_);
  if (in_response_to_) x += Attr("InResponseTo", *in_response_to_);
  x += ">\n";
  if (response_issuer_) {
    x += "  <" + a("Issuer") + a_local_ns + ">" + EscapeText(*response_issuer_) + "</" +
         a("Issuer") + ">\n";
  }
  if (!extensions_xml_.empty()) {
    x += "  <" + p("Extensions") + ">" + extensions_xml_ + "</" + p("Extensions") + ">\n";
  }
  x += "  <" + p("Status") + ">\n    <" + p("StatusCode") + Attr("Value", status_code_);
  if (second_status_code_.empty()) {
    x += "/>\n";
  } else {
    x += "><" + p("StatusCode") + Attr("Value", second_status_code_) + "/></" + p("StatusCode") +
         ">\n";
  }
  if (!status_message_.empty()) {
    x += "    <" + p("StatusMessage") + ">" + EscapeText(status_message_) + "</" +
         p("StatusMessage") + ">\n";
  }
  x += "  </" + p("Status") + ">\n";

  // The Assertion declares its own namespaces, as SimpleSAMLphp does, so it
  // stays self-contained once encrypted and decrypted on its own.
  x += "  <" + a("Assertion") + ns_decl(assertion_prefix_, kAssertionNs) +
       " xmlns:xs=\"http://www.w3.org/2001/XMLSchema\""
       " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"" +
       Attr("ID", assertion_id_) + Attr("Version", "2.0") + Attr("IssueInstant", now) + ">\n";
  x += "    <" + a("Issuer") + ">" + EscapeText(assertion_issuer_) + "</" + a("Issuer") + ">\n";
  x += "    <" + a("Subject") + ">\n      <" + a("NameID") + Attr("Format", name_id_format_);
  if (name_qualifier_) x += Attr("NameQualifier", *name_qualifier_);
  // As an IdP writes it: the SP the NameID was issued to is the one the
  // assertion is addressed to.
  std::optional<std::string> sp_name_qualifier = sp_name_qualifier_;
  if (!sp_name_qualifier_set_) {
    sp_name_qualifier = !audiences_.empty() && !audiences_.front().empty()
                            ? audiences_.front().front()
                            : std::string(kSpEntityId);
  }
  if (sp_name_qualifier) x += Attr("SPNameQualifier", *sp_name_qualifier);
  x += ">" + EscapeText(name_id_) + "</" + a("NameID") + ">\n";
  x += "      <" + a("SubjectConfirmation") +
       Attr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer") + ">\n        <" +
       a("SubjectConfirmationData") +
       Attr("NotOnOrAfter", FormatInstant(subject_not_on_or_after_)) +
       Attr("Recipient", recipient_);
  if (subject_in_response_to_) x += Attr("InResponseTo", *subject_in_response_to_);
  x += "/>\n      </" + a("SubjectConfirmation") + ">\n    </" + a("Subject") + ">\n";
  x += "    <" + a("Conditions") + Attr("NotBefore", FormatInstant(not_before_)) +
       Attr("NotOnOrAfter", FormatInstant(not_on_or_after_)) + ">\n";
  for (const auto& restriction : audiences_) {
    x += "      <" + a("AudienceRestriction") + ">";
    for (const auto& audience : restriction) {
      x += "<" + a("Audience") + ">" + EscapeText(audience) + "</" + a("Audience") + ">";
    }
    x += "</" + a("AudienceRestriction") + ">\n";
  }
  x += "    </" + a("Conditions") + ">\n";
  x += "    <" + a("AuthnStatement") + Attr("AuthnInstant", FormatInstant(issue_instant_ - 5));
  if (session_not_on_or_after_) {
    x += Attr("SessionNotOnOrAfter", FormatInstant(*session_not_on_or_after_));
  }
  if (!session_index_.empty()) x += Attr("SessionIndex", session_index_);
  x += ">\n      <" + a("AuthnContext") + "><" + a("AuthnContextClassRef") +
       ">urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</" +
       a("AuthnContextClassRef") + "></" + a("AuthnContext") + ">\n    </" + a("AuthnStatement") +
       ">\n";
  if (!attributes_.empty()) {
    x += "    <" + a("AttributeStatement") + ">\n";
    for (const auto& attribute : attributes_) {
      x += "      <" + a("Attribute") + Attr("Name", attribute.name);
      if (!attribute.name_format.empty()) x += Attr("NameFormat", attribute.name_format);
      if (!attribute.friendly_name.empty()) x += Attr("FriendlyName", attribute.friendly_name);
      x += ">";
      for (const auto& value : attribute.values) {
        x += "<" + a("AttributeValue") + " xsi:type=\"xs:string\">" + EscapeText(value) + "</" +
             a("AttributeValue") + ">";
      }
      x += "</" + a("Attribute") + ">\n";
    }
    x += "    </" + a("AttributeStatement") + ">\n";
  }
  x += "  </" + a("Assertion") + ">\n</" + p("Response") + ">\n";
  for (const auto& edit : edits_) edit(x);
  return x;
}

std::string ResponseBuilder::Build() const {
  std::string xml = BuildUnsigned();
  // Inside the assertion, so the assertion's signature covers the ciphertext.
  if (encrypt_name_id_) xml = EncryptNameIdString(xml, *encrypt_name_id_);
  if (sign_assertion_) xml = SignXmlString(xml, assertion_id_, *sign_assertion_);
  if (encrypt_) xml = EncryptAssertionString(xml, *encrypt_);
  if (sign_response_) xml = SignXmlString(xml, response_id_, *sign_response_);
  return xml;
}

// ---- String surgery -------------------------------------------------------------

std::pair<std::size_t, std::size_t> ElementRange(const std::string& xml, const std::string& qname,
                                                 std::size_t n) {
  std::size_t begin = FindStartTag(xml, qname, 0);
  for (std::size_t i = 0; i < n && begin != std::string::npos; ++i) {
    begin = FindStartTag(xml, qname, begin + 1);
  }
  if (begin == std::string::npos) Fail("no element <" + qname + "> #" + std::to_string(n));
  std::size_t gt = xml.find('>', begin);
  if (gt == std::string::npos) Fail("unterminated <" + qname + ">");
  if (xml[gt - 1] == '/') return {begin, gt + 1};
  const std::string close = "</" + qname + ">";
  int depth = 1;
  std::size_t pos = gt + 1;
  while (true) {
    std::size_t next_open = FindStartTag(xml, qname, pos);
    std::size_t next_close = xml.find(close, pos);
    if (next_close == std::string::npos) Fail("no end tag for <" + qname + ">");
    if (next_open != std::string::npos && next_open < next_close) {
      std::size_t open_gt = xml.find('>', next_open);
      if (xml[open_gt - 1] != '/') ++depth;
      pos = open_gt + 1;
      continue;
    }
    if (--depth == 0) return {begin, next_close + close.size()};
    pos = next_close + close.size();
  }
}

std::string ExtractElement(const std::string& xml, const std::string& qname, std::size_t n) {
  auto [begin, end] = ElementRange(xml, qname, n);
  return xml.substr(begin, end - begin);
}

std::string RemoveElement(const std::string& xml, const std::string& qname, std::size_t n) {
  auto [begin, end] = ElementRange(xml, qname, n);
  return xml.substr(0, begin) + xml.substr(end);
}

std::string ReplaceFirst(std::string xml, const std::string& from, const std::string& to) {
  std::size_t p = xml.find(from);
  if (p == std::string::npos) Fail("text to replace not found: " + from);
  xml.replace(p, from.size(), to);
  return xml;
}

std::string ReplaceAll(std::string xml, const std::string& from, const std::string& to) {
  std::size_t p = xml.find(from);
  if (p == std::string::npos) Fail("text to replace not found: " + from);
  for (; p != std::string::npos; p = xml.find(from, p + to.size())) xml.replace(p, from.size(), to);
  return xml;
}

std::string InsertAfterStartTag(const std::string& xml, const std::string& qname,
                                const std::string& insertion) {
  std::size_t begin = FindStartTag(xml, qname, 0);
  if (begin == std::string::npos) Fail("no element <" + qname + ">");
  std::size_t gt = xml.find('>', begin);
  return xml.substr(0, gt + 1) + insertion + xml.substr(gt + 1);
}

std::string InsertBefore(const std::string& xml, const std::string& marker,
                         const std::string& insertion) {
  std::size_t p = xml.find(marker);
  if (p == std::string::npos) Fail("marker not found: " + marker);
  return xml.substr(0, p) + insertion + xml.substr(p);
}

// ---- Validator side -----------------------------------------------------------------

Result<bool> MemoryReplayGuard::FirstUse(const std::string& assertion_id, const std::string& issuer,
                                         UnixSeconds /*keep_until*/, UnixSeconds /*now*/) {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_.emplace(issuer, assertion_id).second;
}

saml::ValidationContext DefaultContext(saml::ReplayGuard* replay) {
  saml::ValidationContext context;
  context.now = kTestNow;
  context.idp_entity_id = kIdpEntityId;
  context.sp_entity_id = kSpEntityId;
  context.acs_url = kAcsUrl;
  context.expected_request_id = kRequestId;
  context.idp_certificates = {IdpRsaKey().Certificate()};
  context.sp_private_key = SpKey().PrivateKey();
  context.replay = replay;
  return context;
}

}  // namespace vsso::testing
