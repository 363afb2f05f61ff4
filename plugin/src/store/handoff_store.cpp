#include "store/handoff_store.hpp"

namespace vsso::store {
namespace {

constexpr UnixSeconds kExpiredGrace = 60;

const char* KindName(HandoffKind kind) {
  return kind == HandoffKind::kConfirm ? "confirm" : "code";
}

}  // namespace

Status HandoffStore::Save(const Handoff& h, UnixSeconds now) {
  return db_->Write([&](Connection& c) -> Status {
    auto purge = c.Prepare("DELETE FROM sso_handoffs WHERE site_id = ?2 AND expires_at < ?1");
    if (!purge) return std::move(purge).error();
    purge->BindInt(1, now - kExpiredGrace).BindText(2, site_id_);
    if (auto st = purge->Run(); !st) return st;
    auto q = c.Prepare(
        "INSERT INTO sso_handoffs (token_hash, site_id, kind, browser_hash, payload, return_url, "
        "created_at, expires_at) VALUES (?1, ?8, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT DO NOTHING");
    if (!q) return std::move(q).error();
    q->BindText(8, site_id_)
        .BindText(1, h.token_hash)
        .BindText(2, KindName(h.kind))
        .BindText(3, h.browser_hash)
        .BindText(4, h.payload)
        .BindText(5, h.return_url)
        .BindInt(6, h.created_at)
        .BindInt(7, h.expires_at);
    if (auto st = q->Run(); !st) return st;
    if (c.Changes() != 1) {
      return MakeError("store.handoff_duplicate",
                       "a sign-in token with this value is already stored");
    }
    return Ok();
  });
}

Result<Handoff> HandoffStore::Take(const std::string& token_hash, HandoffKind kind,
                                   UnixSeconds now) {
  auto taken = db_->Write([&](Connection& c) -> Result<Handoff> {
    auto q = c.Prepare(
        "DELETE FROM sso_handoffs WHERE token_hash = ?1 AND kind = ?2 AND site_id = ?3 "
        "RETURNING browser_hash, payload, return_url, created_at, expires_at");
    if (!q) return std::move(q).error();
    q->BindText(1, token_hash).BindText(2, KindName(kind)).BindText(3, site_id_);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) {
      return MakeError("store.handoff_unknown",
                       std::string("no ") + KindName(kind) + " token of site " + site_id_ +
                           " with this value (never issued by this site, already used, or "
                           "expired over a minute ago and purged)");
    }
    Handoff h;
    h.token_hash = token_hash;
    h.kind = kind;
    h.browser_hash = q->Text(0);
    h.payload = q->Text(1);
    h.return_url = q->Text(2);
    h.created_at = q->Int(3);
    h.expires_at = q->Int(4);
    if (auto st = q->Run(); !st) return std::move(st).error();
    return h;
  });
  if (!taken) return taken;
  if (taken->expires_at < now) {
    return MakeError("store.handoff_expired",
                     std::string(KindName(kind)) + " token expired " +
                         std::to_string(now - taken->expires_at) + " s ago (it was valid for " +
                         std::to_string(taken->expires_at - taken->created_at) + " s)");
  }
  return taken;
}

Result<int> HandoffStore::PurgeExpiredAllSites(Database& db, UnixSeconds before) {
  return db.Change("DELETE FROM sso_handoffs WHERE expires_at < ?1", before);
}

}  // namespace vsso::store
