#include "saml/rules/bearer_confirmation.hpp"

#include "common/time.hpp"
#include "saml/rules/in_response_to.hpp"

namespace vsso::saml::rules {
namespace {

constexpr char kBearer[] = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

Result<UnixSeconds> CheckOne(const xmlNode* confirmation, const ValidationContext& context,
                             const std::optional<std::string_view>& expected) {
  std::string scratch;
  xmlNodePtr data = FirstChild(confirmation, ns::kAssertion, "SubjectConfirmationData");
  if (data == nullptr) {
    return MakeError("saml.subject_confirmation.no_data",
                     "the bearer SubjectConfirmation has no SubjectConfirmationData");
  }
  if (xmlHasNsProp(data, X("NotBefore"), nullptr) != nullptr) {
    return MakeError("saml.subject_confirmation.not_before",
                     "the bearer SubjectConfirmationData has NotBefore, which SAML Profiles "
                     "4.1.4.2 forbids");
  }
  auto recipient = AttrView(data, "Recipient", scratch);
  if (!recipient || *recipient != context.acs_url) {
    return MakeError("saml.subject_confirmation.recipient",
                     "the bearer SubjectConfirmationData Recipient is " +
                         (recipient ? Quote(*recipient) : std::string("absent")) + "; acs_url is " +
                         Quote(context.acs_url));
  }
  auto not_on_or_after = InstantAttribute(data, "NotOnOrAfter");
  if (!not_on_or_after) return not_on_or_after.error();
  if (!*not_on_or_after) {
    return MakeError("saml.subject_confirmation.no_expiry",
                     "the bearer SubjectConfirmationData has no NotOnOrAfter (SAML Profiles "
                     "4.1.4.2)");
  }
  const UnixSeconds expiry = **not_on_or_after;
  if (context.now - context.clock_skew_seconds >= expiry) {
    return MakeError("saml.subject_confirmation.expired",
                     "the bearer confirmation expired at " + time::FormatUtc(expiry) + ", now " +
                         time::FormatUtc(context.now) + ", skew " +
                         std::to_string(context.clock_skew_seconds) + " s");
  }
  // Profiles 4.1.4.2: a solicited response's bearer confirmation names the
  // request (this attribute is signed with the assertion; the Response's
  // may not be); an unsolicited one's names none.
  auto in_response_to = AttrView(data, "InResponseTo", scratch);
  if (expected ? in_response_to != expected : in_response_to.has_value()) {
    return MakeError("saml.subject_confirmation.in_response_to",
                     "the bearer SubjectConfirmationData InResponseTo is " +
                         (in_response_to ? Quote(*in_response_to) : std::string("absent")) +
                         "; expected " +
                         (expected ? Quote(*expected) : std::string("none (unsolicited)")));
  }
  return expiry;
}

}  // namespace

Status CheckBearerConfirmation(Message& message, const ValidationContext& context) {
  xmlNodePtr subject = FirstChild(message.assertion, ns::kAssertion, "Subject");
  if (subject == nullptr) {
    return MakeError("saml.subject.missing", "the assertion has no saml:Subject");
  }
  // Same reading as the InResponseTo rule (AnsweredRequest).
  const std::optional<std::string_view> expected = AnsweredRequest(message, context);
  std::optional<Error> first_failure;
  std::string scratch;
  for (xmlNodePtr confirmation = FirstChild(subject, ns::kAssertion, "SubjectConfirmation");
       confirmation != nullptr;
       confirmation = NextSibling(confirmation, ns::kAssertion, "SubjectConfirmation")) {
    if (AttrView(confirmation, "Method", scratch) != kBearer) continue;
    auto expiry = CheckOne(confirmation, context, expected);
    if (expiry) {
      message.identity.assertion_not_on_or_after = *expiry;
      return Ok();
    }
    if (!first_failure) first_failure = expiry.error();
  }
  if (first_failure) return *first_failure;
  return MakeError("saml.subject_confirmation.missing",
                   "the assertion has no SubjectConfirmation with Method " + Quote(kBearer));
}

}  // namespace vsso::saml::rules
