#include "store/request_store.hpp"

namespace vsso::store {

Status RequestStore::Save(const PendingRequest& request) {
  return db_->Write([&](Connection& c) -> Status {
    auto q = c.Prepare(
        "INSERT INTO authn_requests (relay_state, request_id, visitor_id, return_url, created_at, "
        "expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT DO NOTHING");
    if (!q) return std::move(q).error();
    q->BindText(1, request.relay_state)
        .BindText(2, request.request_id)
        .BindText(3, request.visitor_id)
        .BindText(4, request.return_url)
        .BindInt(5, request.created_at)
        .BindInt(6, request.expires_at);
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
        "DELETE FROM authn_requests WHERE relay_state = ?1 "
        "RETURNING request_id, visitor_id, return_url, created_at, expires_at");
    if (!q) return std::move(q).error();
    q->BindText(1, relay_state);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) {
      return MakeError("store.request_unknown",
                       "no outstanding authentication request for this RelayState (never "
                       "issued, already used, or purged)");
    }
    PendingRequest r;
    r.relay_state = relay_state;
    r.request_id = q->Text(0);
    r.visitor_id = q->Text(1);
    r.return_url = q->Text(2);
    r.created_at = q->Int(3);
    r.expires_at = q->Int(4);
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

Result<int> RequestStore::PurgeExpired(UnixSeconds now) {
  return db_->Change("DELETE FROM authn_requests WHERE expires_at < ?1", now);
}

}  // namespace vsso::store
