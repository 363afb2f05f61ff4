// Outstanding SP-initiated AuthnRequests, keyed by RelayState, so the ACS can
// check InResponseTo (SAML 2.0 Profiles 4.1.4.3) and return the visitor to
// where the sign-in started. Each request can be taken exactly once.
//
// Threading: a light handle over a shared Database; safe from any thread and
// across processes (Take is a single DELETE ... RETURNING in a write
// transaction).
// Unauthenticated browsers create these rows, so the store bounds them: at
// most kPerBrowser per browser (a new one replaces that browser's oldest),
// at most a configured total per site, and expired rows are deleted on the
// next Save once a minute has passed (the grace keeps "expired" precise for a
// late answer).
// Sites (issue 12): a RequestStore is the view of one site. It saves, counts,
// bounds and takes only that site's requests; a RelayState issued by one
// site is unknown to every other (SAML Profiles 4.1.4.3: a response answers
// the request of the SP it was sent to).
// Errors: "store.query_failed", "store.request_duplicate",
// "store.request_unknown", "store.request_expired", "store.too_many_pending".
#pragma once

#include <memory>
#include <string>

#include "common/result.hpp"
#include "store/database.hpp"
#include "store/pending_rows.hpp"

namespace vsso::store {

struct PendingRequest {
  std::string request_id;   ///< AuthnRequest ID
  std::string relay_state;  ///< unguessable, unique
  std::string visitor_id;
  std::string return_url;
  /// SHA-256 (hex) of the plugin's browser cookie that started the sign-in.
  std::string browser_hash;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
};

class RequestStore {
 public:
  /// Pending sign-ins one browser keeps at once (two tabs, a double click).
  static constexpr int kPerBrowser = detail::PendingRows::kPerBrowser;
  /// How long past expires_at a row stays for a precise "expired" answer.
  static constexpr UnixSeconds kExpiredGrace = detail::PendingRows::kExpiredGrace;

  RequestStore(std::shared_ptr<Database> db, std::string site_id);

  /// Committed before it returns, in one transaction with the bounds: purges
  /// this site's rows expired for over kExpiredGrace, drops this browser's
  /// oldest of this site beyond kPerBrowser - 1, and refuses with
  /// "store.too_many_pending" when `site_cap` unexpired rows of this site
  /// are already stored. A relay_state already stored (for any site) or a
  /// request_id already stored for this site is "store.request_duplicate".
  Status Save(const PendingRequest& request, UnixSeconds now, std::int64_t site_cap);
  /// Removes and returns the request. "store.request_unknown": never issued
  /// by this site or already used (a request of another site stays where it
  /// is); "store.request_expired": it was found (and is now removed) but
  /// expires_at is before `now`.
  Result<PendingRequest> Take(const std::string& relay_state, UnixSeconds now);
  /// Deletes the requests of every site with expires_at before `before`, in
  /// one statement (housekeeping); returns how many.
  static Result<int> PurgeExpiredAllSites(Database& db, UnixSeconds before);
  /// Unexpired requests of this site stored now (diagnostics, tests).
  Result<std::int64_t> CountLive(UnixSeconds now);
  const std::string& site_id() const { return rows_.site_id(); }

 private:
  detail::PendingRows rows_;
};

}  // namespace vsso::store
