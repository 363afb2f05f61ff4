#include "saml/rules/audience.hpp"

namespace vsso::saml::rules {

Status CheckAudience(Message& message, const ValidationContext& context) {
  xmlNodePtr conditions = FirstChild(message.assertion, ns::kAssertion, "Conditions");
  xmlNodePtr first = conditions != nullptr
                         ? FirstChild(conditions, ns::kAssertion, "AudienceRestriction")
                         : nullptr;
  if (first == nullptr) {
    return MakeError("saml.audience.missing",
                     "the assertion has no AudienceRestriction; expected one naming " +
                         Quote(context.sp_entity_id));
  }
  for (xmlNodePtr restriction = first; restriction != nullptr;
       restriction = NextSibling(restriction, ns::kAssertion, "AudienceRestriction")) {
    bool found = false;
    for (xmlNodePtr audience = FirstChild(restriction, ns::kAssertion, "Audience");
         audience != nullptr && !found;
         audience = NextSibling(audience, ns::kAssertion, "Audience")) {
      found = TrimXmlSpace(TextContent(audience)) == context.sp_entity_id;
    }
    if (!found) {
      // What it lists, for the refusal only.
      std::string seen;
      for (xmlNodePtr audience : Children(restriction, ns::kAssertion, "Audience")) {
        seen += (seen.empty() ? "" : ", ") + Quote(TrimXmlSpace(TextContent(audience)));
      }
      return MakeError("saml.audience.mismatch",
                       "an AudienceRestriction lists " + (seen.empty() ? "no audience" : seen) +
                           " but not sp_entity_id " + Quote(context.sp_entity_id));
    }
  }
  return Ok();
}

}  // namespace vsso::saml::rules
