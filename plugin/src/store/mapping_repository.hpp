// The configured attribute mappings as last synced, so the admin CLI and the
// history of a sign-in can show which IdP attributes fed which chat field.
// A repository is the view of one site (issue 12): each site has its own.
//
// Threading: a light handle over a shared Database; safe from any thread.
// Errors: "store.query_failed", "store.bad_mapping" (a field twice).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store {

struct MappingRow {
  int position = 0;                     ///< order in the config file
  std::string field;                    ///< chat field key, unique
  std::vector<std::string> attributes;  ///< IdP attribute names, preference order

  bool operator==(const MappingRow&) const = default;
};

class MappingRepository {
 public:
  MappingRepository(std::shared_ptr<Database> db, std::string site_id)
      : db_(std::move(db)), site_id_(std::move(site_id)) {}

  /// Replaces the stored mappings with `rows` in one transaction.
  /// true: something changed; false: the stored rows were already `rows`.
  Result<bool> Sync(const std::vector<MappingRow>& rows);
  /// Ordered by position.
  Result<std::vector<MappingRow>> List();
  const std::string& site_id() const { return site_id_; }

 private:
  std::shared_ptr<Database> db_;
  std::string site_id_;
};

}  // namespace vsso::store
