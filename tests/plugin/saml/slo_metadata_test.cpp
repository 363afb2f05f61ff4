// Single logout in metadata: the IdP's Redirect-binding SingleLogoutService
// (Location and ResponseLocation, SAML Metadata 2.2.2) and the SP's own
// endpoint listed in schema order (SSODescriptorType: SingleLogoutService
// before NameIDFormat).
#include <gtest/gtest.h>

#include <string>

#include "saml/metadata.hpp"
#include "support/test_keys.hpp"

namespace vsso::saml {
namespace {

std::string IdpMetadataWith(const std::string& slo_elements) {
  return "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
         "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"https://idp.example.org\">"
         "<md:IDPSSODescriptor "
         "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
         "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
         testing::IdpRsaKey().CertificateBase64() +
         "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>" + slo_elements +
         "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
         "Location=\"https://idp.example.org/sso\"/></md:IDPSSODescriptor></md:EntityDescriptor>";
}

TEST(SloMetadataTest, ReadsTheRedirectBindingEndpoint) {
  auto md = ParseIdpMetadata(
      IdpMetadataWith(
          "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST\" "
          "Location=\"https://idp.example.org/slo-post\"/>"
          "<md:SingleLogoutService "
          "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
          "Location=\" https://idp.example.org/slo \" "
          "ResponseLocation=\"https://idp.example.org/slo-answers\"/>"),
      "idp.xml");
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(md->slo_redirect_url, "https://idp.example.org/slo");
  EXPECT_EQ(md->slo_redirect_response_url, "https://idp.example.org/slo-answers");
}

TEST(SloMetadataTest, NoRedirectEndpointMeansNoSingleLogout) {
  auto md = ParseIdpMetadata(
      IdpMetadataWith(
          "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:SOAP\" "
          "Location=\"https://idp.example.org/slo-soap\"/>"),
      "idp.xml");
  ASSERT_TRUE(md) << md.error().message;
  EXPECT_EQ(md->slo_redirect_url, "");
  EXPECT_EQ(md->slo_redirect_response_url, "");
  auto none = ParseIdpMetadata(IdpMetadataWith(""), "idp.xml");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->slo_redirect_url, "");
}

TEST(SloMetadataTest, SpMetadataListsTheSloUrlBeforeNameIdFormats) {
  SpMetadataParams p;
  p.sp_entity_id = "https://chat.example.com/sso/metadata";
  p.acs_url = "https://chat.example.com/sso/acme/acs";
  p.slo_url = "https://chat.example.com/sso/acme/slo";
  const std::string xml = BuildSpMetadata(p);
  const auto slo = xml.find(
      "<md:SingleLogoutService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
      "Location=\"https://chat.example.com/sso/acme/slo\"/>");
  ASSERT_NE(slo, std::string::npos) << xml;
  EXPECT_LT(slo, xml.find("<md:NameIDFormat>"));
  p.slo_url.clear();
  EXPECT_EQ(BuildSpMetadata(p).find("SingleLogoutService"), std::string::npos);
}

}  // namespace
}  // namespace vsso::saml
