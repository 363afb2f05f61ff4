#include "saml/rules/replay.hpp"

namespace vsso::saml::rules {

Status ReplayVerdict(const Result<bool>& first_use, const Identity& identity) {
  if (!first_use) {
    return MakeError("saml.replay.store_failed",
                     "the replay store failed (" + first_use.error().code + ": " +
                         first_use.error().message + "); the response is refused to be safe");
  }
  if (!*first_use) {
    return MakeError("saml.replay.detected", "assertion " + Quote(identity.assertion_id) +
                                                 " from " + Quote(identity.issuer) +
                                                 " was already used");
  }
  return Ok();
}

Status CheckReplay(Message& message, const ValidationContext& context) {
  if (context.replay == nullptr) {
    return MakeError("saml.replay.unavailable",
                     "no replay store is available, so no assertion can be accepted");
  }
  const Identity& identity = message.identity;
  const UnixSeconds keep_until = identity.assertion_not_on_or_after + context.clock_skew_seconds;
  return ReplayVerdict(
      context.replay->FirstUse(identity.assertion_id, identity.issuer, keep_until, context.now),
      identity);
}

}  // namespace vsso::saml::rules
