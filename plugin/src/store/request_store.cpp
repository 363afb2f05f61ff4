#include "store/request_store.hpp"

namespace vsso::store {
namespace {

// authn_requests has a rowid: among sign-ins of the same second SQLite keeps
// the last inserted.
const detail::PendingKind kRequests{
    "authn_requests",
    "rowid",
    "store.request_duplicate",
    "store.request_unknown",
    "store.request_expired",
    [](std::int64_t live, const std::string& site_id) {
      return std::to_string(live) + " sign-ins to site " + site_id +
             " are waiting for the IdP's answer, the limit set by [sso] "
             "max_pending_sign_ins; new ones are refused until some expire (" +
             "raise the limit if this is real traffic, or block the flood at the edge)";
    },
    [](const detail::PendingRow& r) {
      return "an authentication request with this RelayState or ID is already stored "
             "(request ID " +
             r.request_id + ")";
    },
    [](const std::string& site_id) {
      return "no outstanding authentication request of site " + site_id +
             " for this RelayState (never issued by this site, already used, or "
             "expired over a minute ago and purged)";
    },
    [](const detail::PendingRow& r, UnixSeconds now) {
      return "authentication request " + r.request_id + " expired " +
             std::to_string(now - r.expires_at) + " seconds ago (it was valid for " +
             std::to_string(r.expires_at - r.created_at) + " seconds)";
    },
};

}  // namespace

RequestStore::RequestStore(std::shared_ptr<Database> db, std::string site_id)
    : rows_(kRequests, std::move(db), std::move(site_id)) {}

Status RequestStore::Save(const PendingRequest& request, UnixSeconds now, std::int64_t site_cap) {
  return rows_.Save(detail::ToRow(request), now, site_cap);
}

Result<PendingRequest> RequestStore::Take(const std::string& relay_state, UnixSeconds now) {
  auto row = rows_.Take(relay_state, now);
  if (!row) return std::move(row).error();
  return detail::FromRow<PendingRequest>(std::move(*row));
}

Result<int> RequestStore::PurgeExpiredAllSites(Database& db, UnixSeconds before) {
  return detail::PendingRows::PurgeExpiredAllSites(kRequests, db, before);
}

Result<std::int64_t> RequestStore::CountLive(UnixSeconds now) { return rows_.CountLive(now); }

}  // namespace vsso::store
