#include "store/replay_cache.hpp"

#include <atomic>

namespace vsso::store {
namespace {

std::atomic<std::uint64_t> first_uses{0};

}  // namespace

Result<bool> ReplayCache::FirstUse(const std::string& assertion_id, const std::string& issuer,
                                   UnixSeconds keep_until, UnixSeconds now) {
  if (assertion_id.empty()) {
    return MakeError("store.replay_bad_id", "an assertion without ID cannot be checked for replay");
  }
  auto first = db_->Write([&](Connection& c) -> Result<bool> {
    // An expired entry for this ID must not block it (nor linger), and the
    // delete + insert run in one write transaction so no other writer can
    // slip between them.
    auto expired =
        c.Prepare("DELETE FROM replay_cache WHERE assertion_id = ?1 AND keep_until < ?2");
    if (!expired) return std::move(expired).error();
    expired->BindText(1, assertion_id).BindInt(2, now);
    if (auto st = expired->Run(); !st) return std::move(st).error();
    auto insert = c.Prepare(
        "INSERT OR IGNORE INTO replay_cache (assertion_id, issuer, keep_until) VALUES (?1, ?2, "
        "?3)");
    if (!insert) return std::move(insert).error();
    insert->BindText(1, assertion_id).BindText(2, issuer).BindInt(3, keep_until);
    if (auto st = insert->Run(); !st) return std::move(st).error();
    return c.Changes() == 1;
  });
  if (first && *first && (first_uses.fetch_add(1) + 1) % purge_every_ == 0) {
    // Housekeeping only: a failure here does not change the verdict, and the
    // next purge retries.
    (void)Purge(now);
  }
  return first;
}

Result<int> ReplayCache::Purge(UnixSeconds now) {
  return db_->Change("DELETE FROM replay_cache WHERE keep_until < ?1", now);
}

}  // namespace vsso::store
