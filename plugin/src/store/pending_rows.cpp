#include "store/pending_rows.hpp"

namespace vsso::store::detail {
namespace {

Result<std::int64_t> CountLiveIn(Connection& c, const std::string& table,
                                 const std::string& site_id, UnixSeconds now) {
  auto q = c.Prepare("SELECT COUNT(*) FROM " + table + " WHERE site_id = ?2 AND expires_at >= ?1");
  if (!q) return std::move(q).error();
  q->BindInt(1, now).BindText(2, site_id);
  auto row = q->Step();
  if (!row) return std::move(row).error();
  const std::int64_t n = *row ? q->Int(0) : 0;
  if (auto st = q->Run(); !st) return std::move(st).error();
  return n;
}

}  // namespace

Status PendingRows::Save(const PendingRow& r, UnixSeconds now, std::int64_t site_cap) {
  const std::string table = kind_->table;
  return db_->Write([&](Connection& c) -> Status {
    auto purge = c.Prepare("DELETE FROM " + table + " WHERE site_id = ?2 AND expires_at < ?1");
    if (!purge) return std::move(purge).error();
    purge->BindInt(1, now - kExpiredGrace).BindText(2, site_id_);
    if (auto st = purge->Run(); !st) return st;
    // This browser's oldest go first, so a flood from one browser only ever
    // replaces its own rows (of this site: a browser may be signing in to
    // several sites at once). Ties within a second: see sqlite_tie_break;
    // LIMIT -1 / LIMIT ALL is each engine's spelling of no limit.
    const bool pg = c.engine() == Engine::kPostgres;
    auto trim =
        c.Prepare("DELETE FROM " + table + " WHERE relay_state IN (SELECT relay_state FROM " +
                  table + " WHERE site_id = ?3 AND browser_hash = ?1 ORDER BY created_at DESC, " +
                  (pg ? "relay_state" : kind_->sqlite_tie_break) + " DESC " +
                  (pg ? "LIMIT ALL" : "LIMIT -1") + " OFFSET ?2)");
    if (!trim) return std::move(trim).error();
    trim->BindText(1, r.browser_hash).BindInt(2, kPerBrowser - 1).BindText(3, site_id_);
    if (auto st = trim->Run(); !st) return st;
    auto live = CountLiveIn(c, table, site_id_, now);
    if (!live) return std::move(live).error();
    if (*live >= site_cap) {
      return MakeError("store.too_many_pending", kind_->too_many_message(*live, site_id_));
    }
    auto q = c.Prepare("INSERT INTO " + table +
                       " (relay_state, site_id, request_id, visitor_id, return_url, browser_hash, "
                       "created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
                       "ON CONFLICT DO NOTHING");
    if (!q) return std::move(q).error();
    q->BindText(1, r.relay_state)
        .BindText(2, site_id_)
        .BindText(3, r.request_id)
        .BindText(4, r.visitor_id)
        .BindText(5, r.return_url)
        .BindText(6, r.browser_hash)
        .BindInt(7, r.created_at)
        .BindInt(8, r.expires_at);
    if (auto st = q->Run(); !st) return st;
    if (c.Changes() != 1) {
      return MakeError(kind_->duplicate_code, kind_->duplicate_message(r));
    }
    return Ok();
  });
}

Result<PendingRow> PendingRows::Take(const std::string& relay_state, UnixSeconds now) {
  const std::string table = kind_->table;
  auto taken = db_->Write([&](Connection& c) -> Result<PendingRow> {
    auto q = c.Prepare("DELETE FROM " + table +
                       " WHERE relay_state = ?1 AND site_id = ?2 RETURNING request_id, visitor_id, "
                       "return_url, browser_hash, created_at, expires_at");
    if (!q) return std::move(q).error();
    q->BindText(1, relay_state).BindText(2, site_id_);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) {
      return MakeError(kind_->unknown_code, kind_->unknown_message(site_id_));
    }
    PendingRow r;
    r.relay_state = relay_state;
    r.request_id = q->Text(0);
    r.visitor_id = q->Text(1);
    r.return_url = q->Text(2);
    r.browser_hash = q->Text(3);
    r.created_at = q->Int(4);
    r.expires_at = q->Int(5);
    // RETURNING rows are all produced by the first step; finish the
    // statement so the delete is complete before COMMIT.
    if (auto st = q->Run(); !st) return std::move(st).error();
    return r;
  });
  if (!taken) return taken;
  // The expired row stays deleted (committed above): it is single use
  // whether or not it was still valid.
  if (taken->expires_at < now) {
    return MakeError(kind_->expired_code, kind_->expired_message(*taken, now));
  }
  return taken;
}

Result<int> PendingRows::PurgeExpiredAllSites(const PendingKind& kind, Database& db,
                                              UnixSeconds before) {
  return db.Change(std::string("DELETE FROM ") + kind.table + " WHERE expires_at < ?1", before);
}

Result<std::int64_t> PendingRows::CountLive(UnixSeconds now) {
  const std::string table = kind_->table;
  return db_->Read(
      [&](Connection& c) -> Result<std::int64_t> { return CountLiveIn(c, table, site_id_, now); });
}

}  // namespace vsso::store::detail
