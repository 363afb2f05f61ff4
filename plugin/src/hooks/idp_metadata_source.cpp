#include "hooks/idp_metadata_source.hpp"

#include <algorithm>

#include "crypto/certificate.hpp"
#include "hooks/metadata_fetcher.hpp"

namespace vsso::hooks {
namespace {

Result<saml::FetchedMetadataCheck> CheckFor(const config::Settings& settings,
                                            const std::optional<store::IdpMetadataRow>& stored,
                                            UnixSeconds now) {
  saml::FetchedMetadataCheck check;
  check.now = now;
  check.expected_entity_id = settings.idp_entity_id;
  // Without idp_entity_id, the entity of the good copy is kept: a document
  // naming another IdP is refused until the admin names it in idp_entity_id.
  if (check.expected_entity_id.empty() && stored &&
      stored->source_url == settings.idp_metadata_url && !stored->document.empty()) {
    check.expected_entity_id = stored->entity_id;
  }
  if (!settings.idp_metadata_signing_certificate.empty()) {
    auto certs = crypto::LoadCertificatesFile(settings.idp_metadata_signing_certificate);
    if (!certs) {
      return MakeError(certs.error().code,
                       settings.source_path +
                           ": [sso] idp_metadata_signing_certificate: " + certs.error().message);
    }
    check.signing_certificate = std::move(certs->front());
  }
  return check;
}

}  // namespace

UnixSeconds NextMetadataRefreshAt(UnixSeconds now, std::int64_t refresh_seconds,
                                  UnixSeconds valid_until, std::int64_t cache_duration_seconds,
                                  bool failed) {
  std::int64_t wait = std::max<std::int64_t>(refresh_seconds, kMinMetadataRefreshSeconds);
  if (failed) wait = kMinMetadataRefreshSeconds;
  if (cache_duration_seconds > 0) wait = std::min(wait, cache_duration_seconds);
  if (valid_until > now) wait = std::min<std::int64_t>(wait, (valid_until - now) / 2);
  return now + std::max(wait, kMinMetadataRefreshSeconds);
}

Result<TrustedMetadata> RefreshMetadata(const config::Settings& settings,
                                        const std::shared_ptr<store::Database>& db,
                                        UnixSeconds now) {
  const std::string& url = settings.idp_metadata_url;
  store::IdpMetadataRepository repository(db, settings.site_id);
  auto stored = repository.Get();
  if (!stored) return std::move(stored).error();
  auto check = CheckFor(settings, *stored, now);
  if (!check) return std::move(check).error();

  Result<saml::FetchedMetadata> parsed = MakeError("metadata.fetch_failed", url);
  auto body = FetchMetadata(url);
  if (body) {
    parsed = saml::ValidateFetchedMetadata(*body, url, *check);
  } else {
    parsed = std::move(body).error();
  }
  if (!parsed) {
    const UnixSeconds next =
        NextMetadataRefreshAt(now, settings.idp_metadata_refresh_seconds, 0, 0, true);
    if (auto st = repository.SaveFailure(url, now, next, parsed.error()); !st) {
      return std::move(st).error();
    }
    return std::move(parsed).error();
  }
  TrustedMetadata out;
  out.row.source_url = url;
  out.row.document = std::move(*body);
  out.row.entity_id = parsed->metadata.entity_id;
  out.row.fetched_at = now;
  out.row.valid_until = parsed->valid_until;
  out.row.cache_duration_seconds = parsed->cache_duration_seconds;
  out.row.attempted_at = now;
  out.row.next_refresh_at =
      NextMetadataRefreshAt(now, settings.idp_metadata_refresh_seconds, parsed->valid_until,
                            parsed->cache_duration_seconds, false);
  out.parsed = std::move(*parsed);
  if (auto st = repository.SaveGood(out.row); !st) return std::move(st).error();
  return out;
}

Result<TrustedMetadata> StoredOrFetchedMetadata(const config::Settings& settings,
                                                const std::shared_ptr<store::Database>& db,
                                                UnixSeconds now) {
  store::IdpMetadataRepository repository(db, settings.site_id);
  auto stored = repository.Get();
  if (!stored) return std::move(stored).error();
  if (*stored && (*stored)->source_url == settings.idp_metadata_url &&
      !(*stored)->document.empty()) {
    auto check = CheckFor(settings, *stored, now);
    if (!check) return std::move(check).error();
    // The stored copy passed these checks when it was fetched; again now,
    // since it may have expired or the signing certificate changed since.
    auto parsed =
        saml::ValidateFetchedMetadata((*stored)->document, settings.idp_metadata_url, *check);
    if (parsed) return TrustedMetadata{std::move(**stored), std::move(*parsed)};
  }
  return RefreshMetadata(settings, db, now);
}

}  // namespace vsso::hooks
