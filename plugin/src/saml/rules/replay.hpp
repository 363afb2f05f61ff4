// Rule (last, so only a fully valid assertion is remembered): an assertion is
// accepted once (SAML Profiles 4.1.4.5). The ID is kept until the assertion
// could no longer be accepted anyway: its NotOnOrAfter plus the clock skew.
// Without a working store every response is refused (fail closed).
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.replay.unavailable, saml.replay.store_failed, saml.replay.detected.
Status CheckReplay(Message& message, const ValidationContext& context);

/// The rule's verdict on a replay guard's answer about `identity`'s
/// assertion: `first_use` true passes; false is saml.replay.detected; an
/// error is saml.replay.store_failed. CheckReplay asks one guard per
/// response; hooks::SignInBatch asks the store about a batch at once and
/// judges each answer here, so both give the same codes and messages.
Status ReplayVerdict(const Result<bool>& first_use, const Identity& identity);

}  // namespace vsso::saml::rules
