#include "store/logout_store.hpp"

namespace vsso::store {

Status LogoutStore::Save(const PendingLogout& l, UnixSeconds now, std::int64_t site_cap) {
  return db_->Write([&](Connection& c) -> Status {
    auto purge = c.Prepare("DELETE FROM pending_logouts WHERE site_id = ?2 AND expires_at < ?1");
    if (!purge) return std::move(purge).error();
    purge->BindInt(1, now - kExpiredGrace).BindText(2, site_id_);
    if (auto st = purge->Run(); !st) return st;
    // This browser's oldest go first. The table has no rowid (WITHOUT
    // ROWID), so ties within a second are broken by RelayState on both
    // engines; LIMIT -1 / LIMIT ALL is each engine's "no limit".
    auto trim = c.Prepare(
        std::string("DELETE FROM pending_logouts WHERE relay_state IN (SELECT relay_state FROM "
                    "pending_logouts WHERE site_id = ?3 AND browser_hash = ?1 "
                    "ORDER BY created_at DESC, relay_state DESC ") +
        (c.engine() == Engine::kPostgres ? "LIMIT ALL" : "LIMIT -1") + " OFFSET ?2)");
    if (!trim) return std::move(trim).error();
    trim->BindText(1, l.browser_hash).BindInt(2, kPerBrowser - 1).BindText(3, site_id_);
    if (auto st = trim->Run(); !st) return st;
    auto count =
        c.Prepare("SELECT COUNT(*) FROM pending_logouts WHERE site_id = ?2 AND expires_at >= ?1");
    if (!count) return std::move(count).error();
    count->BindInt(1, now).BindText(2, site_id_);
    auto row = count->Step();
    if (!row) return std::move(row).error();
    const std::int64_t live = *row ? count->Int(0) : 0;
    if (auto st = count->Run(); !st) return st;
    if (live >= site_cap) {
      return MakeError("store.too_many_pending",
                       std::to_string(live) + " sign-outs of site " + site_id_ +
                           " are waiting for the IdP's answer, the limit set by [sso] "
                           "max_pending_sign_ins; new ones end the chat session locally only "
                           "until some expire");
    }
    auto q = c.Prepare(
        "INSERT INTO pending_logouts (relay_state, site_id, request_id, visitor_id, return_url, "
        "browser_hash, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) "
        "ON CONFLICT DO NOTHING");
    if (!q) return std::move(q).error();
    q->BindText(1, l.relay_state)
        .BindText(2, site_id_)
        .BindText(3, l.request_id)
        .BindText(4, l.visitor_id)
        .BindText(5, l.return_url)
        .BindText(6, l.browser_hash)
        .BindInt(7, l.created_at)
        .BindInt(8, l.expires_at);
    if (auto st = q->Run(); !st) return st;
    if (c.Changes() != 1) {
      return MakeError("store.logout_duplicate",
                       "a pending logout with this RelayState or request ID is already stored "
                       "(request ID " +
                           l.request_id + ")");
    }
    return Ok();
  });
}

Result<PendingLogout> LogoutStore::Take(const std::string& relay_state, UnixSeconds now) {
  auto taken = db_->Write([&](Connection& c) -> Result<PendingLogout> {
    auto q = c.Prepare(
        "DELETE FROM pending_logouts WHERE relay_state = ?1 AND site_id = ?2 "
        "RETURNING request_id, visitor_id, return_url, browser_hash, created_at, expires_at");
    if (!q) return std::move(q).error();
    q->BindText(1, relay_state).BindText(2, site_id_);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) {
      return MakeError("store.logout_unknown",
                       "no pending logout of site " + site_id_ +
                           " for this RelayState (never issued by this site, already answered, "
                           "or expired over a minute ago and purged)");
    }
    PendingLogout l;
    l.relay_state = relay_state;
    l.request_id = q->Text(0);
    l.visitor_id = q->Text(1);
    l.return_url = q->Text(2);
    l.browser_hash = q->Text(3);
    l.created_at = q->Int(4);
    l.expires_at = q->Int(5);
    // Finish the statement so the delete is complete before COMMIT.
    if (auto st = q->Run(); !st) return std::move(st).error();
    return l;
  });
  if (!taken) return taken;
  if (taken->expires_at < now) {
    return MakeError("store.logout_expired", "logout request " + taken->request_id + " expired " +
                                                 std::to_string(now - taken->expires_at) +
                                                 " seconds ago");
  }
  return taken;
}

Result<int> LogoutStore::PurgeExpiredAllSites(Database& db, UnixSeconds before) {
  return db.Change("DELETE FROM pending_logouts WHERE expires_at < ?1", before);
}

Result<std::int64_t> LogoutStore::CountLive(UnixSeconds now) {
  return db_->Read([&](Connection& c) -> Result<std::int64_t> {
    auto q =
        c.Prepare("SELECT COUNT(*) FROM pending_logouts WHERE site_id = ?2 AND expires_at >= ?1");
    if (!q) return std::move(q).error();
    q->BindInt(1, now).BindText(2, site_id_);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    const std::int64_t n = *row ? q->Int(0) : 0;
    if (auto st = q->Run(); !st) return std::move(st).error();
    return n;
  });
}

}  // namespace vsso::store
