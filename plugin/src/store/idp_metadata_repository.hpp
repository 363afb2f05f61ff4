// The IdP metadata of a site fetched from its idp_metadata_url (issue 14):
// the last good document, shared by every node of the platform through the
// store, and the outcome of the last fetch attempt. One row per site; a
// repository is the view of one site.
//
// A failed attempt records only when it happened, when to try again and why
// it failed: the good document stays (a broken document never replaces a
// good one). A good document from another URL is not kept when the
// configured URL changes.
//
// Threading: a light handle over a shared Database; safe from any thread.
// Errors: "store.query_failed", "store.unavailable".
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store {

struct IdpMetadataRow {
  std::string source_url;
  std::string document;  ///< the last good document; empty: none yet
  std::string entity_id;
  UnixSeconds fetched_at = 0;  ///< when the good copy was fetched; 0: none
  UnixSeconds valid_until = 0;
  std::int64_t cache_duration_seconds = 0;
  UnixSeconds attempted_at = 0;  ///< the last fetch, good or not
  UnixSeconds next_refresh_at = 0;
  std::string error_code;  ///< of the last attempt; empty when it succeeded
  std::string error_message;

  bool operator==(const IdpMetadataRow&) const = default;
};

class IdpMetadataRepository {
 public:
  IdpMetadataRepository(std::shared_ptr<Database> db, std::string site_id)
      : db_(std::move(db)), site_id_(std::move(site_id)) {}

  /// The site's row, or nullopt.
  Result<std::optional<IdpMetadataRow>> Get();
  /// Stores a good document: every column, error cleared.
  Status SaveGood(const IdpMetadataRow& row);
  /// Records a failed attempt at `source_url`: attempted_at, next_refresh_at
  /// and the error. The good document stays if it came from the same URL;
  /// one from another URL is dropped (the admin changed the URL).
  Status SaveFailure(const std::string& source_url, UnixSeconds attempted_at,
                     UnixSeconds next_refresh_at, const Error& error);
  const std::string& site_id() const { return site_id_; }

 private:
  std::shared_ptr<Database> db_;
  std::string site_id_;
};

}  // namespace vsso::store
