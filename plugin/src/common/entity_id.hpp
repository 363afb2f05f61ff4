// What a SAML entity ID may be, for sp_entity_id, idp_entity_id and an IdP
// metadata entityID alike. SAML Metadata 2.9 types entityID as anyURI of at
// most 1024 characters (SAML Core 8.3.6), and anyURI's lexical space accepts
// relative references: real IdPs and SPs use `urn:...`, `https://...` and
// plain relying-party identifiers such as `my-chat` or `example.com` (ADFS).
// So any string of 1..1024 characters is taken, except white space and
// control characters: an ID is compared as exact bytes (Audience, Issuer,
// SPNameQualifier), and an invisible or trailing character would make every
// comparison fail without the admin seeing why. Stateless, re-entrant.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace vsso::entity_id {

inline constexpr std::size_t kMaxCharacters = 1024;

/// nullopt when `value` is an acceptable entity ID; otherwise why not, for an
/// admin ("is empty", "contains a space at character 5", "is 1100 characters
/// long; SAML allows at most 1024", "is not valid UTF-8 ...").
std::optional<std::string> Problem(std::string_view value);

}  // namespace vsso::entity_id
