#include "saml/rules/authn_statement.hpp"

#include "common/time.hpp"

namespace vsso::saml::rules {

Status CheckAuthnStatement(Message& message, const ValidationContext& context) {
  xmlNodePtr statement = FirstChild(message.assertion, ns::kAssertion, "AuthnStatement");
  if (statement == nullptr) {
    return MakeError("saml.authn_statement.missing",
                     "the assertion has no saml:AuthnStatement (SAML Profiles 4.1.4.2)");
  }
  auto authn_instant = InstantAttribute(statement, "AuthnInstant");
  if (!authn_instant) return authn_instant.error();
  if (!*authn_instant) {
    return MakeError("saml.authn_statement.missing",
                     "saml:AuthnStatement has no AuthnInstant (SAML Core 2.7.2)");
  }
  auto session_end = InstantAttribute(statement, "SessionNotOnOrAfter");
  if (!session_end) return session_end.error();
  if (*session_end && context.now - context.clock_skew_seconds >= **session_end) {
    return MakeError("saml.authn_statement.session_expired",
                     "the IdP session ended at " + time::FormatUtc(**session_end) + ", now " +
                         time::FormatUtc(context.now) + ", skew " +
                         std::to_string(context.clock_skew_seconds) + " s");
  }
  message.identity.authn_instant = **authn_instant;
  message.identity.session_not_on_or_after = session_end->value_or(0);
  message.identity.session_index = GetAttr(statement, "SessionIndex").value_or("");
  return Ok();
}

}  // namespace vsso::saml::rules
