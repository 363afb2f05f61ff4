#include "store/request_store.hpp"

namespace vsso::store {

Status RequestStore::Save(const PendingRequest& request, UnixSeconds now, std::int64_t site_cap) {
  return db_->Write([&](Connection& c) -> Status {
    auto purge = c.Prepare("DELETE FROM authn_requests WHERE site_id = ?2 AND expires_at < ?1");
    if (!purge) return std::move(purge).error();
    purge->BindInt(1, now - kExpiredGrace).BindText(2, site_id_);
    if (auto st = purge->Run(); !st) return st;
    // This browser's oldest go first, so a flood from one browser only ever
    // replaces its own sign-ins (of this site: a browser may be signing in
    // to several sites at once). Among sign-ins of the same second SQLite
    // keeps the last inserted (rowid); PostgreSQL has no insertion order,
    // so there the tie is broken by RelayState (random), and LIMIT ALL is
    // its spelling of no limit.
    auto trim =
        c.Prepare(c.engine() == Engine::kPostgres
                      ? "DELETE FROM authn_requests WHERE relay_state IN (SELECT relay_state FROM "
                        "authn_requests WHERE site_id = ?3 AND browser_hash = ?1 "
                        "ORDER BY created_at DESC, relay_state DESC LIMIT ALL OFFSET ?2)"
                      : "DELETE FROM authn_requests WHERE relay_state IN (SELECT relay_state FROM "
                        "authn_requests WHERE site_id = ?3 AND browser_hash = ?1 "
                        "ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?2)");
    if (!trim) return std::move(trim).error();
    trim->BindText(1, request.browser_hash).BindInt(2, kPerBrowser - 1).BindText(3, site_id_);
    if (auto st = trim->Run(); !st) return st;
    auto count =
        c.Prepare("SELECT COUNT(*) FROM authn_requests WHERE site_id = ?2 AND expires_at >= ?1");
    if (!count) return std::move(count).error();
    count->BindInt(1, now).BindText(2, site_id_);
    auto row = count->Step();
    if (!row) return std::move(row).error();
    const std::int64_t live = *row ? count->Int(0) : 0;
    if (auto st = count->Run(); !st) return st;
    if (live >= site_cap) {
      return MakeError(
          "store.too_many_pending",
          std::to_string(live) + " sign-ins to site " + site_id_ +
              " are waiting for the IdP's answer, the limit set by [sso] "
              "max_pending_sign_ins; new ones are refused until some expire (" +
              "raise the limit if this is real traffic, or block the flood at the edge)");
    }
    auto q = c.Prepare(
        "INSERT INTO authn_requests (relay_state, site_id, request_id, visitor_id, return_url, "
        "created_at, expires_at, browser_hash) VALUES (?1, ?8, ?2, ?3, ?4, ?5, ?6, ?7) "
        "ON CONFLICT DO NOTHING");
    if (!q) return std::move(q).error();
    q->BindText(8, site_id_)
        .BindText(1, request.relay_state)
        .BindText(2, request.request_id)
        .BindText(3, request.visitor_id)
        .BindText(4, request.return_url)
        .BindInt(5, request.created_at)
        .BindInt(6, request.expires_at)
        .BindText(7, request.browser_hash);
    if (auto st = q->Run(); !st) return st;
    if (c.Changes() != 1) {
      return MakeError("store.request_duplicate",
                       "an authentication request with this RelayState or ID is already stored "
                       "(request ID " +
                           request.request_id + ")");
    }
    return Ok();
  });
}

Result<PendingRequest> RequestStore::Take(const std::string& relay_state, UnixSeconds now) {
  auto taken = db_->Write([&](Connection& c) -> Result<PendingRequest> {
    auto q = c.Prepare(
        "DELETE FROM authn_requests WHERE relay_state = ?1 AND site_id = ?2 "
        "RETURNING request_id, visitor_id, return_url, created_at, expires_at, browser_hash");
    if (!q) return std::move(q).error();
    q->BindText(1, relay_state).BindText(2, site_id_);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) {
      return MakeError("store.request_unknown",
                       "no outstanding authentication request of site " + site_id_ +
                           " for this RelayState (never issued by this site, already used, or "
                           "expired over a minute ago and purged)");
    }
    PendingRequest r;
    r.relay_state = relay_state;
    r.request_id = q->Text(0);
    r.visitor_id = q->Text(1);
    r.return_url = q->Text(2);
    r.created_at = q->Int(3);
    r.expires_at = q->Int(4);
    r.browser_hash = q->Text(5);
    // RETURNING rows are all produced by the first step; finish the
    // statement so the delete is complete before COMMIT.
    if (auto st = q->Run(); !st) return std::move(st).error();
    return r;
  });
  if (!taken) return taken;
  // The expired request stays deleted (committed above): it is single use
  // whether or not it was still valid.
  if (taken->expires_at < now) {
    return MakeError("store.request_expired",
                     "authentication request " + taken->request_id + " expired " +
                         std::to_string(now - taken->expires_at) +
                         " seconds ago (it was valid for " +
                         std::to_string(taken->expires_at - taken->created_at) + " seconds)");
  }
  return taken;
}

Result<int> RequestStore::PurgeExpiredAllSites(Database& db, UnixSeconds before) {
  return db.Change("DELETE FROM authn_requests WHERE expires_at < ?1", before);
}

Result<std::int64_t> RequestStore::CountLive(UnixSeconds now) {
  return db_->Read([&](Connection& c) -> Result<std::int64_t> {
    auto q =
        c.Prepare("SELECT COUNT(*) FROM authn_requests WHERE site_id = ?2 AND expires_at >= ?1");
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
