#include "store/replay_cache.hpp"

namespace vsso::store {

Result<bool> ReplayCache::FirstUse(const std::string& assertion_id, const std::string& issuer,
                                   UnixSeconds keep_until, UnixSeconds now) {
  if (assertion_id.empty()) {
    return MakeError("store.replay_bad_id", "an assertion without ID cannot be checked for replay");
  }
  return db_->Write([&](Connection& c) -> Result<bool> {
    // One statement: a new ID is inserted; an expired entry for it is
    // replaced (it must not block the ID, nor linger); a live one is left
    // as it is and nothing changes. Inside the write transaction no other
    // writer can come between the look-up and the write.
    auto q = c.Prepare(
        "INSERT INTO replay_cache (site_id, assertion_id, issuer, keep_until) "
        "VALUES (?5, ?1, ?2, ?3) "
        "ON CONFLICT (site_id, assertion_id) DO UPDATE SET issuer = excluded.issuer, "
        "keep_until = excluded.keep_until WHERE replay_cache.keep_until < ?4");
    if (!q) return std::move(q).error();
    q->BindText(1, assertion_id)
        .BindText(2, issuer)
        .BindInt(3, keep_until)
        .BindInt(4, now)
        .BindText(5, site_id_);
    if (auto st = q->Run(); !st) return std::move(st).error();
    return c.Changes() == 1;
  });
}

Result<int> ReplayCache::PurgeExpiredAllSites(Database& db, UnixSeconds now) {
  return db.Change("DELETE FROM replay_cache WHERE keep_until < ?1", now);
}

}  // namespace vsso::store
