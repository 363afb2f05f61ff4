#include "saml/metadata.hpp"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "support/test_keys.hpp"

namespace vsso::saml {
namespace {

using testing::AttackerKey;
using testing::IdpEcKey;
using testing::IdpRolloverKey;
using testing::IdpRsaKey;
using testing::SpKey;

constexpr char kMd[] = "urn:oasis:names:tc:SAML:2.0:metadata";
constexpr char kDs[] = "http://www.w3.org/2000/09/xmldsig#";

// ---- helpers to read XML in the tests -------------------------------------

struct DocFree {
  void operator()(xmlDoc* d) const { xmlFreeDoc(d); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

Doc ReadXml(const std::string& xml) {
  return Doc(
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET));
}

std::vector<xmlNode*> Kids(xmlNode* n, const char* ns, const char* name) {
  std::vector<xmlNode*> out;
  for (xmlNode* c = n->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE && c->ns != nullptr && xmlStrEqual(c->ns->href, BAD_CAST ns) &&
        xmlStrEqual(c->name, BAD_CAST name)) {
      out.push_back(c);
    }
  }
  return out;
}

std::string Prop(xmlNode* n, const char* name) {
  xmlChar* v = xmlGetNoNsProp(n, BAD_CAST name);
  if (v == nullptr) return "<absent>";
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

std::string Content(xmlNode* n) {
  xmlChar* v = xmlNodeGetContent(n);
  std::string s(reinterpret_cast<const char*>(v));
  xmlFree(v);
  return s;
}

// ---- BuildSpMetadata -------------------------------------------------------

SpMetadataParams SpParams() {
  SpMetadataParams p;
  p.sp_entity_id = "https://chat.example.com/sso/metadata";
  p.acs_url = "https://chat.example.com/sso/acs";
  p.authn_requests_signed = true;
  p.certificate = SpKey().Certificate();
  return p;
}

TEST(SpMetadataTest, DescribesTheSpWithItsCertificateAndAcs) {
  const std::string xml = BuildSpMetadata(SpParams());
  EXPECT_EQ(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>", 0), 0u) << xml;
  Doc doc = ReadXml(xml);
  ASSERT_TRUE(doc) << xml;
  xmlNode* root = xmlDocGetRootElement(doc.get());
  ASSERT_TRUE(xmlStrEqual(root->ns->href, BAD_CAST kMd));
  EXPECT_STREQ(reinterpret_cast<const char*>(root->name), "EntityDescriptor");
  EXPECT_EQ(Prop(root, "entityID"), "https://chat.example.com/sso/metadata");

  const auto sps = Kids(root, kMd, "SPSSODescriptor");
  ASSERT_EQ(sps.size(), 1u);
  xmlNode* sp = sps[0];
  EXPECT_EQ(Prop(sp, "protocolSupportEnumeration"), "urn:oasis:names:tc:SAML:2.0:protocol");
  EXPECT_EQ(Prop(sp, "AuthnRequestsSigned"), "true");
  EXPECT_EQ(Prop(sp, "WantAssertionsSigned"), "true");

  const auto kds = Kids(sp, kMd, "KeyDescriptor");
  ASSERT_EQ(kds.size(), 2u);
  EXPECT_EQ(Prop(kds[0], "use"), "signing");
  EXPECT_EQ(Prop(kds[1], "use"), "encryption");
  for (xmlNode* kd : kds) {
    const auto ki = Kids(kd, kDs, "KeyInfo");
    ASSERT_EQ(ki.size(), 1u);
    const auto data = Kids(ki[0], kDs, "X509Data");
    ASSERT_EQ(data.size(), 1u);
    const auto cert = Kids(data[0], kDs, "X509Certificate");
    ASSERT_EQ(cert.size(), 1u);
    EXPECT_EQ(Content(cert[0]), SpKey().CertificateBase64());
  }
  EXPECT_TRUE(Kids(kds[0], kMd, "EncryptionMethod").empty());
  std::vector<std::string> algs;
  for (xmlNode* em : Kids(kds[1], kMd, "EncryptionMethod")) algs.push_back(Prop(em, "Algorithm"));
  EXPECT_EQ(algs, (std::vector<std::string>{"http://www.w3.org/2009/xmlenc11#aes256-gcm",
                                            "http://www.w3.org/2009/xmlenc11#aes128-gcm",
                                            "http://www.w3.org/2001/04/xmlenc#aes256-cbc",
                                            "http://www.w3.org/2001/04/xmlenc#aes128-cbc",
                                            "http://www.w3.org/2001/04/xmlenc#rsa-oaep-mgf1p"}));

  std::vector<std::string> formats;
  for (xmlNode* f : Kids(sp, kMd, "NameIDFormat")) formats.push_back(Content(f));
  EXPECT_EQ(formats,
            (std::vector<std::string>{"urn:oasis:names:tc:SAML:2.0:nameid-format:persistent",
                                      "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                                      "urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified"}));

  const auto acs = Kids(sp, kMd, "AssertionConsumerService");
  ASSERT_EQ(acs.size(), 1u);
  EXPECT_EQ(Prop(acs[0], "Binding"), "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST");
  EXPECT_EQ(Prop(acs[0], "Location"), "https://chat.example.com/sso/acs");
  EXPECT_EQ(Prop(acs[0], "index"), "0");
  EXPECT_EQ(Prop(acs[0], "isDefault"), "true");

  // Schema order (Metadata 2.4.1-2.4.4): KeyDescriptor, NameIDFormat, ACS.
  std::vector<std::string> order;
  for (xmlNode* c = sp->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) order.push_back(reinterpret_cast<const char*>(c->name));
  }
  EXPECT_EQ(order,
            (std::vector<std::string>{"KeyDescriptor", "KeyDescriptor", "NameIDFormat",
                                      "NameIDFormat", "NameIDFormat", "AssertionConsumerService"}));
}

TEST(SpMetadataTest, WithoutCertificateHasNoKeyDescriptor) {
  auto p = SpParams();
  p.certificate.reset();
  p.authn_requests_signed = false;
  Doc doc = ReadXml(BuildSpMetadata(p));
  ASSERT_TRUE(doc);
  xmlNode* sp = Kids(xmlDocGetRootElement(doc.get()), kMd, "SPSSODescriptor").at(0);
  EXPECT_TRUE(Kids(sp, kMd, "KeyDescriptor").empty());
  EXPECT_EQ(Prop(sp, "AuthnRequestsSigned"), "false");
}

TEST(SpMetadataTest, EcCertificateIsOfferedForSigningOnly) {
  auto p = SpParams();
  p.certificate = IdpEcKey().Certificate();
  Doc doc = ReadXml(BuildSpMetadata(p));
  ASSERT_TRUE(doc);
  xmlNode* sp = Kids(xmlDocGetRootElement(doc.get()), kMd, "SPSSODescriptor").at(0);
  const auto kds = Kids(sp, kMd, "KeyDescriptor");
  ASSERT_EQ(kds.size(), 1u);
  EXPECT_EQ(Prop(kds[0], "use"), "signing");
}

TEST(SpMetadataTest, ValuesAreEscaped) {
  auto p = SpParams();
  p.sp_entity_id = "urn:x:<sp>&\"quoted\"";
  p.acs_url = "https://chat.example.com/acs?a=1&b=<2>";
  const std::string xml = BuildSpMetadata(p);
  Doc doc = ReadXml(xml);
  ASSERT_TRUE(doc) << xml;
  xmlNode* root = xmlDocGetRootElement(doc.get());
  EXPECT_EQ(Prop(root, "entityID"), p.sp_entity_id);
  xmlNode* sp = Kids(root, kMd, "SPSSODescriptor").at(0);
  EXPECT_EQ(Prop(Kids(sp, kMd, "AssertionConsumerService").at(0), "Location"), p.acs_url);
}

// ---- ParseIdpMetadata ------------------------------------------------------

const std::string kIdpEntity = "http://127.0.0.1:8081/saml2/idp/metadata.php";
const std::string kIdpSso = "http://127.0.0.1:8081/saml2/idp/SSOService.php";

std::string Wrap64(const std::string& b64) {
  std::string out;
  for (std::size_t i = 0; i < b64.size(); i += 64) out += "\n          " + b64.substr(i, 64);
  return out + "\n        ";
}

// As SimpleSAMLphp 1.19 publishes it at saml2/idp/metadata.php.
std::string SimpleSamlPhpMetadata(const std::string& cert_b64) {
  return R"(<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID=")" +
         kIdpEntity + R"(">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>)" +
         Wrap64(cert_b64) + R"(</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:KeyDescriptor use="encryption">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data>
          <ds:X509Certificate>)" +
         AttackerKey().CertificateBase64() + R"(</ds:X509Certificate>
        </ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="http://127.0.0.1:8081/saml2/idp/SingleLogoutService.php"/>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location=")" +
         kIdpSso + R"("/>
  </md:IDPSSODescriptor>
  <md:ContactPerson contactType="technical">
    <md:GivenName>Administrator</md:GivenName>
    <md:EmailAddress>mailto:admin@example.org</md:EmailAddress>
  </md:ContactPerson>
</md:EntityDescriptor>
)";
}

// Default namespaces, an unused-use KeyDescriptor for rollover, POST listed first.
std::string DefaultNamespaceMetadata() {
  return R"(<EntityDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.org/idp">
  <IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>)" +
         IdpRsaKey().CertificateBase64() +
         R"(</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <KeyDescriptor><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>)" +
         IdpRolloverKey().CertificateBase64() +
         R"(</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <KeyDescriptor use="encryption"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>)" +
         AttackerKey().CertificateBase64() +
         R"(</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.org/idp/post"/>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.org/idp/redirect"/>
  </IDPSSODescriptor>
</EntityDescriptor>)";
}

std::vector<std::string> Fingerprints(const IdpMetadata& md) {
  std::vector<std::string> out;
  for (const auto& c : md.signing_certificates) out.push_back(c.sha256_fingerprint);
  return out;
}

TEST(IdpMetadataTest, ReadsSimpleSamlPhpMetadata) {
  auto md = ParseIdpMetadata(SimpleSamlPhpMetadata(IdpRsaKey().CertificateBase64()), "idp.xml");
  ASSERT_TRUE(md) << md.error().code << ": " << md.error().message;
  EXPECT_EQ(md->entity_id, kIdpEntity);
  EXPECT_EQ(md->sso_redirect_url, kIdpSso);
  // The encryption-only certificate is not trusted for signatures.
  EXPECT_EQ(Fingerprints(*md),
            (std::vector<std::string>{IdpRsaKey().Certificate().sha256_fingerprint}));
}

TEST(IdpMetadataTest, ReadsDefaultNamespacesAndCollectsEverySigningCertificate) {
  auto md = ParseIdpMetadata(DefaultNamespaceMetadata(), "idp.xml");
  ASSERT_TRUE(md) << md.error().code << ": " << md.error().message;
  EXPECT_EQ(md->entity_id, "https://idp.example.org/idp");
  EXPECT_EQ(md->sso_redirect_url, "https://idp.example.org/idp/redirect");
  EXPECT_EQ(Fingerprints(*md),
            (std::vector<std::string>{IdpRsaKey().Certificate().sha256_fingerprint,
                                      IdpRolloverKey().Certificate().sha256_fingerprint}));
}

TEST(IdpMetadataTest, SameCertificateTwiceIsKeptOnce) {
  std::string xml = DefaultNamespaceMetadata();
  const std::string rollover = IdpRolloverKey().CertificateBase64();
  xml.replace(xml.find(rollover), rollover.size(), IdpRsaKey().CertificateBase64());
  auto md = ParseIdpMetadata(xml, "idp.xml");
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(md->signing_certificates.size(), 1u);
}

TEST(IdpMetadataTest, ElementsAreFoundByNamespaceNotPrefix) {
  // "md" bound to another namespace: not SAML metadata, whatever the prefix.
  std::string xml = SimpleSamlPhpMetadata(IdpRsaKey().CertificateBase64());
  const std::string decl = "xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\"";
  xml.replace(xml.find(decl), decl.size(), "xmlns:md=\"urn:example:not-metadata\"");
  auto md = ParseIdpMetadata(xml, "idp.xml");
  ASSERT_FALSE(md);
  EXPECT_EQ(md.error().code, "metadata.not_metadata");
  EXPECT_NE(md.error().message.find("urn:example:not-metadata"), std::string::npos);
}

TEST(IdpMetadataTest, MissingRedirectBindingIsNamed) {
  std::string xml = DefaultNamespaceMetadata();
  const std::string redirect = "bindings:HTTP-Redirect\" Location";
  xml.replace(xml.find(redirect), redirect.size(), "bindings:HTTP-Artifact\" Location");
  auto md = ParseIdpMetadata(xml, "/etc/vsso/idp.xml");
  ASSERT_FALSE(md);
  EXPECT_EQ(md.error().code, "metadata.missing_sso_redirect");
  EXPECT_NE(md.error().message.find("/etc/vsso/idp.xml"), std::string::npos);
  EXPECT_NE(md.error().message.find("HTTP-POST"), std::string::npos) << md.error().message;
  EXPECT_NE(md.error().message.find("HTTP-Artifact"), std::string::npos);
}

TEST(IdpMetadataTest, DoctypeIsRefused) {
  const std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE md:EntityDescriptor [\n"
      "  <!ENTITY sso \"https://evil.example/sso\">\n]>\n" +
      SimpleSamlPhpMetadata(IdpRsaKey().CertificateBase64())
          .substr(std::string("<?xml version=\"1.0\"?>\n").size());
  auto md = ParseIdpMetadata(xml, "idp.xml");
  ASSERT_FALSE(md);
  EXPECT_EQ(md.error().code, "metadata.doctype_refused");
}

TEST(IdpMetadataTest, DoctypeIsRefusedBeforeAnExternalSubsetIsRead) {
  // A local file exists at this path; the parser must not get as far as reading it.
  testing::TempDir dir;
  const auto dtd = dir.path() / "md.dtd";
  {
    std::FILE* f = std::fopen(dtd.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("<!ATTLIST EntityDescriptor xmlns CDATA \"urn:oasis:names:tc:SAML:2.0:metadata\">",
               f);
    std::fclose(f);
  }
  std::string body = DefaultNamespaceMetadata();
  const std::string decl = " xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\"";
  body.replace(body.find(decl), decl.size(), "");
  const std::string xml = "<!DOCTYPE EntityDescriptor SYSTEM \"" + dtd.string() + "\">\n" + body;
  auto md = ParseIdpMetadata(xml, "idp.xml");
  ASSERT_FALSE(md);
  EXPECT_EQ(md.error().code, "metadata.doctype_refused");
}

TEST(IdpMetadataTest, EntitiesDescriptorYieldsTheSingleIdp) {
  std::string idp = SimpleSamlPhpMetadata(IdpRsaKey().CertificateBase64());
  idp = idp.substr(idp.find("<md:EntityDescriptor"));
  const std::string sp_entity =
      "<md:EntityDescriptor entityID=\"https://sp.example.com\"><md:SPSSODescriptor "
      "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>"
      "</md:EntityDescriptor>";
  const std::string xml =
      "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">" + sp_entity +
      "<md:EntitiesDescriptor>" + idp + "</md:EntitiesDescriptor></md:EntitiesDescriptor>";
  auto md = ParseIdpMetadata(xml, "fed.xml");
  ASSERT_TRUE(md) << md.error().code << ": " << md.error().message;
  EXPECT_EQ(md->entity_id, kIdpEntity);

  const std::string two =
      "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">" + idp +
      DefaultNamespaceMetadata() + "</md:EntitiesDescriptor>";
  auto ambiguous = ParseIdpMetadata(two, "fed.xml");
  ASSERT_FALSE(ambiguous);
  EXPECT_EQ(ambiguous.error().code, "metadata.ambiguous_idp_entity");
  EXPECT_NE(ambiguous.error().message.find("https://idp.example.org/idp"), std::string::npos);

  const std::string none =
      "<md:EntitiesDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\">" + sp_entity +
      "</md:EntitiesDescriptor>";
  auto no_idp = ParseIdpMetadata(none, "fed.xml");
  ASSERT_FALSE(no_idp);
  EXPECT_EQ(no_idp.error().code, "metadata.no_idp_entity");
}

TEST(IdpMetadataTest, MissingPiecesAreNamed) {
  auto not_xml = ParseIdpMetadata("<md:EntityDescriptor", "idp.xml");
  ASSERT_FALSE(not_xml);
  EXPECT_EQ(not_xml.error().code, "metadata.not_xml");

  std::string xml = DefaultNamespaceMetadata();
  xml.replace(xml.find(" entityID=\"https://idp.example.org/idp\""),
              std::string(" entityID=\"https://idp.example.org/idp\"").size(), "");
  EXPECT_EQ(ParseIdpMetadata(xml, "idp.xml").error().code, "metadata.missing_entity_id");

  const std::string sp_only =
      "<EntityDescriptor xmlns=\"urn:oasis:names:tc:SAML:2.0:metadata\" entityID=\"x\">"
      "<SPSSODescriptor protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\"/>"
      "</EntityDescriptor>";
  EXPECT_EQ(ParseIdpMetadata(sp_only, "idp.xml").error().code, "metadata.missing_idp_descriptor");

  xml = DefaultNamespaceMetadata();
  const std::string both =
      "urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol";
  xml.replace(xml.find(both), both.size(), "urn:oasis:names:tc:SAML:1.1:protocol");
  auto saml11 = ParseIdpMetadata(xml, "idp.xml");
  ASSERT_FALSE(saml11);
  EXPECT_EQ(saml11.error().code, "metadata.missing_idp_descriptor");
}

TEST(IdpMetadataTest, SigningCertificateIsRequiredAndMustParse) {
  std::string xml = SimpleSamlPhpMetadata(IdpRsaKey().CertificateBase64());
  xml.replace(xml.find("use=\"signing\""), std::string("use=\"signing\"").size(),
              "use=\"encryption\"");
  auto none = ParseIdpMetadata(xml, "idp.xml");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code, "metadata.missing_signing_certificate");

  auto broken = ParseIdpMetadata(SimpleSamlPhpMetadata("TUlJQmJhZGNlcnQ="), "idp.xml");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().code, "metadata.bad_certificate");
  EXPECT_NE(broken.error().message.find("KeyDescriptor #1"), std::string::npos)
      << broken.error().message;
}

}  // namespace
}  // namespace vsso::saml
