// Rule: the Response was addressed to this SP's assertion consumer service.
// SAML Bindings 3.5.5.2 requires Destination on signed POST responses; it is
// required here always, so a response for another SP cannot be replayed here.
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.destination.missing, saml.destination.mismatch.
Status CheckDestination(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
