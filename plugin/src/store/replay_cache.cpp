#include "store/replay_cache.hpp"

#include <algorithm>
#include <numeric>

namespace vsso::store {

namespace {

Error BadId() {
  return MakeError("store.replay_bad_id", "an assertion without ID cannot be checked for replay");
}

// Records the assertion for `site_id` inside the caller's write
// transaction: true if it is the ID's first use.
Result<bool> Claim(Connection& c, const std::string& site_id, const std::string& assertion_id,
                   const std::string& issuer, UnixSeconds keep_until, UnixSeconds now) {
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
      .BindText(5, site_id);
  if (auto st = q->Run(); !st) return std::move(st).error();
  return c.Changes() == 1;
}

}  // namespace

Result<bool> ReplayCache::FirstUse(const std::string& assertion_id, const std::string& issuer,
                                   UnixSeconds keep_until, UnixSeconds now) {
  if (assertion_id.empty()) return BadId();
  return db_->Write(
      [&](Connection& c) { return Claim(c, site_id_, assertion_id, issuer, keep_until, now); });
}

std::vector<Result<bool>> ReplayCache::FirstUseMany(std::span<const ReplayClaim> claims) {
  std::vector<Result<bool>> answers(claims.size(), false);
  if (claims.empty()) return answers;
  // Claimed in the order of their IDs: on PostgreSQL each insert locks its
  // key until COMMIT, and the batches of two processes taking common IDs in
  // different orders would deadlock (one of them then fails whole); in one
  // order they only wait for each other. Stable, so that of two claims of
  // one ID the earlier is still the first use. (SQLite's write transaction
  // excludes every other writer, so the order changes nothing there.)
  std::vector<std::size_t> order(claims.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return claims[a].assertion_id < claims[b].assertion_id;
  });
  auto written = db_->Write([&](Connection& c) -> Status {
    for (const std::size_t i : order) {
      if (claims[i].assertion_id.empty()) {
        answers[i] = BadId();
        continue;
      }
      const ReplayClaim& claim = claims[i];
      auto first =
          Claim(c, site_id_, claim.assertion_id, claim.issuer, claim.keep_until, claim.now);
      // A failed statement fails the transaction: nothing is recorded.
      if (!first) return std::move(first).error();
      answers[i] = *first;
    }
    return Ok();
  });
  if (!written) {
    for (auto& answer : answers) answer = written.error();
  }
  return answers;
}

Result<int> ReplayCache::PurgeExpiredAllSites(Database& db, UnixSeconds now) {
  return db.Change("DELETE FROM replay_cache WHERE keep_until < ?1", now);
}

}  // namespace vsso::store
