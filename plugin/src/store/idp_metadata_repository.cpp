#include "store/idp_metadata_repository.hpp"

namespace vsso::store {

Result<std::optional<IdpMetadataRow>> IdpMetadataRepository::Get() {
  return db_->Read([&](Connection& c) -> Result<std::optional<IdpMetadataRow>> {
    auto q = c.Prepare(
        "SELECT source_url, document, entity_id, fetched_at, valid_until, "
        "cache_duration_seconds, attempted_at, next_refresh_at, error_code, error_message "
        "FROM idp_metadata WHERE site_id = ?1");
    if (!q) return std::move(q).error();
    q->BindText(1, site_id_);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) return std::optional<IdpMetadataRow>();
    IdpMetadataRow r;
    r.source_url = q->Text(0);
    r.document = q->Text(1);
    r.entity_id = q->Text(2);
    r.fetched_at = q->Int(3);
    r.valid_until = q->Int(4);
    r.cache_duration_seconds = q->Int(5);
    r.attempted_at = q->Int(6);
    r.next_refresh_at = q->Int(7);
    r.error_code = q->Text(8);
    r.error_message = q->Text(9);
    return std::optional<IdpMetadataRow>(std::move(r));
  });
}

Status IdpMetadataRepository::SaveGood(const IdpMetadataRow& r) {
  return db_->Write([&](Connection& c) -> Status {
    auto q = c.Prepare(
        "INSERT INTO idp_metadata (site_id, source_url, document, entity_id, fetched_at, "
        "valid_until, cache_duration_seconds, attempted_at, next_refresh_at, error_code, "
        "error_message) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, '', '') "
        "ON CONFLICT (site_id) DO UPDATE SET source_url = excluded.source_url, "
        "document = excluded.document, entity_id = excluded.entity_id, "
        "fetched_at = excluded.fetched_at, valid_until = excluded.valid_until, "
        "cache_duration_seconds = excluded.cache_duration_seconds, "
        "attempted_at = excluded.attempted_at, next_refresh_at = excluded.next_refresh_at, "
        "error_code = '', error_message = ''");
    if (!q) return std::move(q).error();
    q->BindText(1, site_id_)
        .BindText(2, r.source_url)
        .BindText(3, r.document)
        .BindText(4, r.entity_id)
        .BindInt(5, r.fetched_at)
        .BindInt(6, r.valid_until)
        .BindInt(7, r.cache_duration_seconds)
        .BindInt(8, r.attempted_at)
        .BindInt(9, r.next_refresh_at);
    return q->Run();
  });
}

Status IdpMetadataRepository::SaveFailure(const std::string& source_url, UnixSeconds attempted_at,
                                          UnixSeconds next_refresh_at, const Error& error) {
  return db_->Write([&](Connection& c) -> Status {
    // One statement, so two nodes recording at once cannot interleave a
    // read and a write: the good columns are kept when the URL is the same,
    // emptied when the row was another URL's.
    auto q = c.Prepare(
        "INSERT INTO idp_metadata (site_id, source_url, document, entity_id, fetched_at, "
        "valid_until, cache_duration_seconds, attempted_at, next_refresh_at, error_code, "
        "error_message) VALUES (?1, ?2, '', '', 0, 0, 0, ?3, ?4, ?5, ?6) "
        "ON CONFLICT (site_id) DO UPDATE SET "
        "document = CASE WHEN idp_metadata.source_url = excluded.source_url "
        "THEN idp_metadata.document ELSE '' END, "
        "entity_id = CASE WHEN idp_metadata.source_url = excluded.source_url "
        "THEN idp_metadata.entity_id ELSE '' END, "
        "fetched_at = CASE WHEN idp_metadata.source_url = excluded.source_url "
        "THEN idp_metadata.fetched_at ELSE 0 END, "
        "valid_until = CASE WHEN idp_metadata.source_url = excluded.source_url "
        "THEN idp_metadata.valid_until ELSE 0 END, "
        "cache_duration_seconds = CASE WHEN idp_metadata.source_url = excluded.source_url "
        "THEN idp_metadata.cache_duration_seconds ELSE 0 END, "
        "source_url = excluded.source_url, attempted_at = excluded.attempted_at, "
        "next_refresh_at = excluded.next_refresh_at, error_code = excluded.error_code, "
        "error_message = excluded.error_message");
    if (!q) return std::move(q).error();
    q->BindText(1, site_id_)
        .BindText(2, source_url)
        .BindInt(3, attempted_at)
        .BindInt(4, next_refresh_at)
        .BindText(5, error.code)
        .BindText(6, error.message);
    return q->Run();
  });
}

}  // namespace vsso::store
