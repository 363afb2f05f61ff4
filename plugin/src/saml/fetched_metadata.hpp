// IdP metadata fetched from a URL (issue 14): unlike the admin's own file
// (ParseIdpMetadata alone), a fetched document is only as trustworthy as
// the checks made on it here, before it may replace the last good copy:
//   - size cap, hardened parse (no DOCTYPE, no network, no entities);
//   - with a pinned signing certificate, the root element's enveloped
//     XML-DSig signature (SAML Metadata 3.1: the root, EntityDescriptor or
//     EntitiesDescriptor, is signed by ID reference; the whole-document
//     reference "" is taken too, XML-DSig 4.4.3.2, as it covers the same
//     element with the enveloped transform), verified with that key alone;
//   - validUntil not passed (SAML Metadata 2.3.1/2.3.2), cacheDuration read;
//   - the IdP entity, and that it names the expected entity ID.
//
// Threading: re-entrant; call InitializeXmlLibraries() first (done inside).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.hpp"
#include "crypto/certificate.hpp"
#include "saml/metadata.hpp"

namespace vsso::saml {

/// A fetched document larger than this is refused (and the fetch aborted).
inline constexpr std::size_t kMaxFetchedMetadataBytes = 4 * 1024 * 1024;

struct FetchedMetadataCheck {
  /// Non-empty: the IdP entity must have this entityID.
  std::string expected_entity_id;
  /// Set: the root element must carry a signature that verifies with it.
  std::optional<crypto::Certificate> signing_certificate;
  UnixSeconds now = 0;
  std::size_t max_bytes = kMaxFetchedMetadataBytes;
};

struct FetchedMetadata {
  IdpMetadata metadata;
  /// Earliest validUntil of the root, the IdP entity and its
  /// IDPSSODescriptor; 0: none.
  UnixSeconds valid_until = 0;
  /// Shortest cacheDuration of the same elements, in seconds; 0: none.
  std::int64_t cache_duration_seconds = 0;
};

/// Errors: metadata.too_large, metadata.not_xml, metadata.doctype_refused,
/// metadata.signature.missing, metadata.signature.invalid,
/// metadata.signature.reference, metadata.bad_valid_until,
/// metadata.bad_cache_duration, metadata.expired, metadata.entity_mismatch,
/// and those of ParseIdpMetadata. `origin` (the URL) starts each message.
Result<FetchedMetadata> ValidateFetchedMetadata(std::string_view xml, const std::string& origin,
                                                const FetchedMetadataCheck& check);

/// xs:duration (XML Schema 2 3.2.6) as seconds, for cacheDuration: a year
/// counts 365 days and a month 30 (the schema leaves them open). Negative
/// or malformed: nullopt.
std::optional<std::int64_t> ParseXsDurationSeconds(std::string_view text);

}  // namespace vsso::saml
