// IdP metadata from [sso] idp_metadata_url (issue 14): where a site's
// Runtime gets its IdP entity, sign-in URL and certificates from, and how
// the stored copy is refreshed.
//
// The last good document lives in the store (idp_metadata, one row per
// site), so every node of a platform shares it and a restart needs no
// network: Runtime::Build uses the stored copy when it is from the same URL
// and still passes every check, and fetches only when there is none. A
// refresh (background thread, `visitor-sso-admin metadata refresh`) fetches,
// validates and stores a good document, or records only the failure: the
// good copy stays in force.
//
// Threading: free functions, re-entrant; they block on the network (never
// call them from a hook).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>

#include "common/result.hpp"
#include "config/settings.hpp"
#include "saml/fetched_metadata.hpp"
#include "store/database.hpp"
#include "store/idp_metadata_repository.hpp"

namespace vsso::hooks {

/// No site fetches more often than this, whatever its document or
/// settings say (issue 14), and a failed fetch is retried after this.
inline constexpr std::int64_t kMinMetadataRefreshSeconds = 60;

/// When to fetch again after an attempt at `now`: refresh_seconds, or
/// sooner when cacheDuration (SAML Metadata 2.3.2) or validUntil (2.3.1:
/// fetched again before it passes, half of the time left) ask for it; a
/// failure retries after kMinMetadataRefreshSeconds, and never later than
/// the regular interval. Never sooner than kMinMetadataRefreshSeconds.
UnixSeconds NextMetadataRefreshAt(UnixSeconds now, std::int64_t refresh_seconds,
                                  UnixSeconds valid_until, std::int64_t cache_duration_seconds,
                                  bool failed);

/// The stored good copy for `settings` (its site, its URL) if it still
/// passes every check at `now`; otherwise fetches it now (RefreshMetadata).
/// The document's facts come with it.
struct TrustedMetadata {
  store::IdpMetadataRow row;
  saml::FetchedMetadata parsed;
};
Result<TrustedMetadata> StoredOrFetchedMetadata(const config::Settings& settings,
                                                const std::shared_ptr<store::Database>& db,
                                                UnixSeconds now);

/// Fetches settings.idp_metadata_url now and validates the document
/// (FetchedMetadataCheck: idp_metadata_signing_certificate; the entity
/// idp_entity_id names, or else the good copy's); a good one is stored, a
/// failure only recorded (attempted_at, next_refresh_at, error) and
/// returned. `settings` are the file's, before metadata filled them in.
Result<TrustedMetadata> RefreshMetadata(const config::Settings& settings,
                                        const std::shared_ptr<store::Database>& db,
                                        UnixSeconds now);

}  // namespace vsso::hooks
