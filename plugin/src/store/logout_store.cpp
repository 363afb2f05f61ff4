#include "store/logout_store.hpp"

namespace vsso::store {
namespace {

// pending_logouts has no rowid (WITHOUT ROWID), so ties within a second are
// broken by RelayState on both engines.
const detail::PendingKind kLogouts{
    "pending_logouts",
    "relay_state",
    "store.logout_duplicate",
    "store.logout_unknown",
    "store.logout_expired",
    [](std::int64_t live, const std::string& site_id) {
      return std::to_string(live) + " sign-outs of site " + site_id +
             " are waiting for the IdP's answer, the limit set by [sso] "
             "max_pending_sign_ins; new ones end the chat session locally only "
             "until some expire";
    },
    [](const detail::PendingRow& r) {
      return "a pending logout with this RelayState or request ID is already stored "
             "(request ID " +
             r.request_id + ")";
    },
    [](const std::string& site_id) {
      return "no pending logout of site " + site_id +
             " for this RelayState (never issued by this site, already answered, "
             "or expired over a minute ago and purged)";
    },
    [](const detail::PendingRow& r, UnixSeconds now) {
      return "logout request " + r.request_id + " expired " + std::to_string(now - r.expires_at) +
             " seconds ago";
    },
};

}  // namespace

LogoutStore::LogoutStore(std::shared_ptr<Database> db, std::string site_id)
    : rows_(kLogouts, std::move(db), std::move(site_id)) {}

Status LogoutStore::Save(const PendingLogout& logout, UnixSeconds now, std::int64_t site_cap) {
  return rows_.Save(detail::ToRow(logout), now, site_cap);
}

Result<PendingLogout> LogoutStore::Take(const std::string& relay_state, UnixSeconds now) {
  auto row = rows_.Take(relay_state, now);
  if (!row) return std::move(row).error();
  return detail::FromRow<PendingLogout>(std::move(*row));
}

Result<int> LogoutStore::PurgeExpiredAllSites(Database& db, UnixSeconds before) {
  return detail::PendingRows::PurgeExpiredAllSites(kLogouts, db, before);
}

Result<std::int64_t> LogoutStore::CountLive(UnixSeconds now) { return rows_.CountLive(now); }

}  // namespace vsso::store
