#include "saml/rules/issuer.hpp"

namespace vsso::saml::rules {
namespace {

constexpr char kEntityFormat[] = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

// The issuer's value when it is the expected one.
Result<std::string> CheckOne(const xmlNode* issuer, const char* whose,
                             const ValidationContext& context) {
  std::string scratch;
  if (auto format = AttrView(issuer, "Format", scratch); format && *format != kEntityFormat) {
    return MakeError("saml.issuer.format", std::string("the ") + whose + " Issuer has Format " +
                                               Quote(*format) + "; expected none or " +
                                               kEntityFormat);
  }
  std::string value = TrimXmlSpace(TextContent(issuer));
  if (value != context.idp_entity_id) {
    return MakeError("saml.issuer.mismatch", std::string("the ") + whose + " Issuer is " +
                                                 Quote(value) + "; idp_entity_id is " +
                                                 Quote(context.idp_entity_id));
  }
  return value;
}

}  // namespace

Status CheckIssuer(Message& message, const ValidationContext& context) {
  if (xmlNodePtr issuer = FirstChild(message.response, ns::kAssertion, "Issuer")) {
    if (auto s = CheckOne(issuer, "Response", context); !s) return std::move(s).error();
  }
  xmlNodePtr issuer = FirstChild(message.assertion, ns::kAssertion, "Issuer");
  if (issuer == nullptr) {
    return MakeError("saml.issuer.missing", "the assertion has no saml:Issuer (SAML Core 2.3.3)");
  }
  auto value = CheckOne(issuer, "assertion", context);
  if (!value) return std::move(value).error();
  message.identity.issuer = std::move(*value);
  return Ok();
}

}  // namespace vsso::saml::rules
