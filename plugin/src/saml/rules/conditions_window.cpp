#include "saml/rules/conditions_window.hpp"

#include <algorithm>

#include "common/time.hpp"

namespace vsso::saml::rules {

Status CheckConditionsWindow(Message& message, const ValidationContext& context) {
  xmlNodePtr conditions = FirstChild(message.assertion, ns::kAssertion, "Conditions");
  if (conditions == nullptr) {
    return MakeError("saml.conditions.missing",
                     "the assertion has no saml:Conditions (it must carry an "
                     "AudienceRestriction, SAML Profiles 4.1.4.2)");
  }
  if (NextSibling(conditions, ns::kAssertion, "Conditions") != nullptr) {
    return MakeError("saml.conditions.malformed",
                     "the assertion has more than one saml:Conditions");
  }
  // Formatted for refusals only.
  const auto skew = [&] { return ", skew " + std::to_string(context.clock_skew_seconds) + " s"; };
  auto not_before = InstantAttribute(conditions, "NotBefore");
  if (!not_before) return not_before.error();
  if (*not_before && context.now + context.clock_skew_seconds < **not_before) {
    return MakeError("saml.conditions.not_yet_valid", "assertion not valid before " +
                                                          time::FormatUtc(**not_before) + ", now " +
                                                          time::FormatUtc(context.now) + skew() +
                                                          " (check the clocks of IdP and server)");
  }
  auto not_on_or_after = InstantAttribute(conditions, "NotOnOrAfter");
  if (!not_on_or_after) return not_on_or_after.error();
  if (*not_on_or_after) {
    if (context.now - context.clock_skew_seconds >= **not_on_or_after) {
      return MakeError("saml.conditions.expired",
                       "assertion expired at " + time::FormatUtc(**not_on_or_after) + ", now " +
                           time::FormatUtc(context.now) + skew());
    }
    UnixSeconds& bound = message.identity.assertion_not_on_or_after;
    bound = bound == 0 ? **not_on_or_after : std::min(bound, **not_on_or_after);
  }
  // AudienceRestriction is checked by the audience rule; OneTimeUse is what
  // the replay rule enforces anyway; ProxyRestriction limits only what this
  // SP may issue, which is nothing.
  for (xmlNodePtr child = conditions->children; child != nullptr; child = child->next) {
    if (child->type != XML_ELEMENT_NODE) continue;
    if (IsElement(child, ns::kAssertion, "AudienceRestriction") ||
        IsElement(child, ns::kAssertion, "OneTimeUse") ||
        IsElement(child, ns::kAssertion, "ProxyRestriction")) {
      continue;
    }
    return MakeError("saml.conditions.unknown",
                     "the assertion has a condition this SP does not understand: " +
                         Quote(DisplayName(child)) + " (SAML Core 2.5.1)");
  }
  return Ok();
}

}  // namespace vsso::saml::rules
