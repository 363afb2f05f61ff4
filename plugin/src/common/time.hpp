// Instants as the SAML messages and the admin CLI write them. SAML Core 1.3.3
// requires xs:dateTime in UTC; offsets are converted rather than refused so a
// misconfigured IdP gets a working login, but a local time with no zone is
// only accepted where the SAML text ("UTC form, with no time zone component")
// allows it. Errors have code "time.invalid" and name the offending character.
// Threading: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vsso::time {

/// xs:dateTime "2026-11-24T12:00:03Z", "2026-11-24T12:00:03.517Z",
/// "2026-11-24T14:00:03+02:00" or without zone (read as UTC). Fractional
/// seconds are truncated. Leap seconds and "24:00:00" are refused.
Result<UnixSeconds> ParseXsDateTime(std::string_view text);

/// RFC 3339 date-time (zone required, 'T'/'Z' case-insensitive), for --now.
Result<UnixSeconds> ParseRfc3339(std::string_view text);

/// "2026-11-24T12:00:03Z".
std::string FormatUtc(UnixSeconds t);

}  // namespace vsso::time
