// SP-initiated logouts waiting for the IdP's LogoutResponse (SAML Profiles
// 4.4.4.2: the response's InResponseTo must name the request sent), keyed by
// RelayState, with the browser that started the sign-out and where to send it
// afterwards. Each can be taken exactly once.
//
// The visitor's chat session is already gone when a row is saved; the row
// only lets the IdP's answer come back to the right browser and page, so a
// lost row costs the visitor a generic page, never a session.
//
// Bounds, as for pending sign-ins (request_store.hpp): sign-outs are started
// by browsers the host already knows, but each is a row, so at most
// kPerBrowser per browser (a new one replaces that browser's oldest) and at
// most a configured total per site; expired rows of the site are purged on
// the next Save once kExpiredGrace has passed.
//
// Threading: a light handle over a shared Database; safe from any thread and
// across processes (Take is a single DELETE ... RETURNING).
// Errors: "store.query_failed", "store.logout_duplicate",
// "store.logout_unknown", "store.logout_expired", "store.too_many_pending".
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "store/database.hpp"
#include "store/pending_rows.hpp"

namespace vsso::store {

struct PendingLogout {
  std::string relay_state;  ///< unguessable, unique
  std::string request_id;   ///< the LogoutRequest's ID
  std::string visitor_id;   ///< whose sign-out (already ended)
  std::string return_url;
  /// SHA-256 (hex) of the plugin's browser cookie that started the sign-out.
  std::string browser_hash;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
};

class LogoutStore {
 public:
  static constexpr int kPerBrowser = detail::PendingRows::kPerBrowser;
  static constexpr UnixSeconds kExpiredGrace = detail::PendingRows::kExpiredGrace;

  LogoutStore(std::shared_ptr<Database> db, std::string site_id);

  /// In one write transaction: purges this site's rows expired for over
  /// kExpiredGrace, drops this browser's oldest beyond kPerBrowser - 1,
  /// refuses with "store.too_many_pending" when `site_cap` unexpired rows of
  /// this site exist, inserts. A relay_state (any site) or request_id (this
  /// site) already stored is "store.logout_duplicate".
  Status Save(const PendingLogout& logout, UnixSeconds now, std::int64_t site_cap);
  /// Removes and returns the row. "store.logout_unknown": not issued by this
  /// site, or already taken; "store.logout_expired": found (and removed)
  /// but past expires_at.
  Result<PendingLogout> Take(const std::string& relay_state, UnixSeconds now);
  /// Deletes the rows of every site with expires_at before `before`;
  /// returns how many (housekeeping).
  static Result<int> PurgeExpiredAllSites(Database& db, UnixSeconds before);
  /// Unexpired rows of this site (diagnostics, tests).
  Result<std::int64_t> CountLive(UnixSeconds now);

 private:
  detail::PendingRows rows_;
};

}  // namespace vsso::store
