#include "saml/rules/issuer.hpp"

namespace vsso::saml::rules {
namespace {

constexpr char kEntityFormat[] = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

Status CheckOne(const xmlNode* issuer, const char* whose, const ValidationContext& context) {
  if (auto format = GetAttr(issuer, "Format"); format && *format != kEntityFormat) {
    return MakeError("saml.issuer.format", std::string("the ") + whose + " Issuer has Format " +
                                               Quote(*format) + "; expected none or " +
                                               kEntityFormat);
  }
  const std::string value = TrimXmlSpace(TextContent(issuer));
  if (value != context.idp_entity_id) {
    return MakeError("saml.issuer.mismatch", std::string("the ") + whose + " Issuer is " +
                                                 Quote(value) + "; idp_entity_id is " +
                                                 Quote(context.idp_entity_id));
  }
  return Ok();
}

}  // namespace

Status CheckIssuer(Message& message, const ValidationContext& context) {
  if (xmlNodePtr issuer = FirstChild(message.response, ns::kAssertion, "Issuer")) {
    if (auto s = CheckOne(issuer, "Response", context); !s) return s;
  }
  xmlNodePtr issuer = FirstChild(message.assertion, ns::kAssertion, "Issuer");
  if (issuer == nullptr) {
    return MakeError("saml.issuer.missing", "the assertion has no saml:Issuer (SAML Core 2.3.3)");
  }
  if (auto s = CheckOne(issuer, "assertion", context); !s) return s;
  message.identity.issuer = TrimXmlSpace(TextContent(issuer));
  return Ok();
}

}  // namespace vsso::saml::rules
