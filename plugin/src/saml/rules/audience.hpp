// Rule: the assertion is meant for this SP. Every AudienceRestriction must
// name sp_entity_id (SAML Core 2.5.1.4: each restriction must be satisfied),
// and there must be at least one (SAML Profiles 4.1.4.2).
#pragma once

#include "saml/message.hpp"

namespace vsso::saml::rules {

/// Errors: saml.audience.missing, saml.audience.mismatch.
Status CheckAudience(Message& message, const ValidationContext& context);

}  // namespace vsso::saml::rules
