#include "saml/rules/replay.hpp"

namespace vsso::saml::rules {

Status CheckReplay(Message& message, const ValidationContext& context) {
  if (context.replay == nullptr) {
    return MakeError("saml.replay.unavailable",
                     "no replay store is available, so no assertion can be accepted");
  }
  const Identity& identity = message.identity;
  const UnixSeconds keep_until = identity.assertion_not_on_or_after + context.clock_skew_seconds;
  Result<bool> first =
      context.replay->FirstUse(identity.assertion_id, identity.issuer, keep_until, context.now);
  if (!first) {
    return MakeError("saml.replay.store_failed", "the replay store failed (" + first.error().code +
                                                     ": " + first.error().message +
                                                     "); the response is refused to be safe");
  }
  if (!*first) {
    return MakeError("saml.replay.detected", "assertion " + Quote(identity.assertion_id) +
                                                 " from " + Quote(identity.issuer) +
                                                 " was already used");
  }
  return Ok();
}

}  // namespace vsso::saml::rules
