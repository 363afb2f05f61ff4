#include "saml/rules/audience.hpp"

namespace vsso::saml::rules {

Status CheckAudience(Message& message, const ValidationContext& context) {
  xmlNodePtr conditions = FirstChild(message.assertion, ns::kAssertion, "Conditions");
  auto restrictions = conditions != nullptr
                          ? Children(conditions, ns::kAssertion, "AudienceRestriction")
                          : std::vector<xmlNodePtr>{};
  if (restrictions.empty()) {
    return MakeError("saml.audience.missing",
                     "the assertion has no AudienceRestriction; expected one naming " +
                         Quote(context.sp_entity_id));
  }
  for (xmlNodePtr restriction : restrictions) {
    bool found = false;
    std::string seen;
    for (xmlNodePtr audience : Children(restriction, ns::kAssertion, "Audience")) {
      const std::string value = TrimXmlSpace(TextContent(audience));
      found = found || value == context.sp_entity_id;
      seen += (seen.empty() ? "" : ", ") + Quote(value);
    }
    if (!found) {
      return MakeError("saml.audience.mismatch",
                       "an AudienceRestriction lists " + (seen.empty() ? "no audience" : seen) +
                           " but not sp_entity_id " + Quote(context.sp_entity_id));
    }
  }
  return Ok();
}

}  // namespace vsso::saml::rules
