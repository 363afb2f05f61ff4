#include "saml/rules/destination.hpp"

namespace vsso::saml::rules {

Status CheckDestination(Message& message, const ValidationContext& context) {
  std::string scratch;
  auto destination = AttrView(message.response, "Destination", scratch);
  if (!destination) {
    return MakeError("saml.destination.missing",
                     "the Response has no Destination attribute; expected " +
                         Quote(context.acs_url) + " (SAML Bindings 3.5.5.2)");
  }
  if (*destination != context.acs_url) {
    return MakeError("saml.destination.mismatch", "the Response Destination is " +
                                                      Quote(*destination) + "; acs_url is " +
                                                      Quote(context.acs_url));
  }
  return Ok();
}

}  // namespace vsso::saml::rules
