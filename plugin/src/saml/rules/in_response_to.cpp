#include "saml/rules/in_response_to.hpp"

#include <vector>

namespace vsso::saml::rules {
namespace {

constexpr char kBearer[] = "urn:oasis:names:tc:SAML:2.0:cm:bearer";

// Calls on_value(value) with the InResponseTo of every bearer
// SubjectConfirmationData, in document order, until it returns false.
template <class OnValue>
void ForEachBearerInResponseTo(const Message& message, OnValue&& on_value) {
  xmlNodePtr subject = message.assertion != nullptr
                           ? FirstChild(message.assertion, ns::kAssertion, "Subject")
                           : nullptr;
  if (subject == nullptr) return;
  std::string scratch;
  for (xmlNodePtr confirmation = FirstChild(subject, ns::kAssertion, "SubjectConfirmation");
       confirmation != nullptr;
       confirmation = NextSibling(confirmation, ns::kAssertion, "SubjectConfirmation")) {
    if (AttrView(confirmation, "Method", scratch) != kBearer) continue;
    xmlNodePtr data = FirstChild(confirmation, ns::kAssertion, "SubjectConfirmationData");
    if (data == nullptr) continue;
    if (auto value = AttrView(data, "InResponseTo", scratch)) {
      if (!on_value(*value)) return;
    }
  }
}

// InResponseTo of every bearer SubjectConfirmationData, in document order.
std::vector<std::string> BearerInResponseTo(const Message& message) {
  std::vector<std::string> found;
  ForEachBearerInResponseTo(message, [&](std::string_view value) {
    found.emplace_back(value);
    return true;
  });
  return found;
}

bool AnyBearerInResponseTo(const Message& message) {
  bool any = false;
  ForEachBearerInResponseTo(message, [&](std::string_view) {
    any = true;
    return false;
  });
  return any;
}

}  // namespace

std::optional<std::string_view> AnsweredRequest(const Message& message,
                                                const ValidationContext& context) {
  if (!context.expected_request_id) return std::nullopt;
  const bool names_a_request =
      xmlHasNsProp(message.response, X("InResponseTo"), nullptr) != nullptr ||
      AnyBearerInResponseTo(message);
  // A sign-in was started from this browser but the IdP sent an
  // unsolicited response (no InResponseTo anywhere, Profiles 4.1.5):
  // acceptable only where IdP-initiated sign-in is allowed; it is then
  // treated as one.
  if (!names_a_request && context.allow_unsolicited) return std::nullopt;
  return std::string_view(*context.expected_request_id);
}

Status CheckInResponseTo(Message& message, const ValidationContext& context) {
  const auto on_response = GetAttr(message.response, "InResponseTo");
  // What the response claims to answer, and where it says so: the
  // Response's attribute when present (it must then match by itself), else
  // the bearer confirmations' (one matching suffices here; the bearer rule
  // checks the one it uses).
  std::optional<std::string> received;
  std::string where = "the Response";
  if (on_response) {
    received = on_response;
  } else if (const auto on_bearer = BearerInResponseTo(message); !on_bearer.empty()) {
    where = "the bearer SubjectConfirmationData";
    received = on_bearer.front();
    for (const std::string& value : on_bearer) {
      if (value == context.expected_request_id) received = value;
    }
  }
  if (context.expected_request_id) {
    const std::string& expected = *context.expected_request_id;
    if (!received && context.allow_unsolicited) return Ok();
    if (!received) {
      return MakeError("saml.in_response_to.missing",
                       "neither the Response nor its bearer SubjectConfirmationData has "
                       "InResponseTo; the outstanding request is " +
                           Quote(expected));
    }
    if (*received != expected) {
      return MakeError("saml.in_response_to.mismatch",
                       where + " answers request " + Quote(*received) +
                           "; the outstanding request is " + Quote(expected));
    }
    message.identity.in_response_to = *received;
    return Ok();
  }
  if (received) {
    return MakeError("saml.in_response_to.unknown_request",
                     where + " answers request " + Quote(*received) +
                         " but no request is outstanding for this browser (expired, already "
                         "used, or started in another browser)");
  }
  if (!context.allow_unsolicited) {
    return MakeError("saml.in_response_to.unsolicited",
                     "the Response is unsolicited (IdP-initiated) and allow_idp_initiated is "
                     "false");
  }
  return Ok();
}

}  // namespace vsso::saml::rules
