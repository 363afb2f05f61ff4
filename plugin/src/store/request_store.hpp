// Outstanding SP-initiated AuthnRequests, keyed by RelayState, so the ACS can
// check InResponseTo (SAML 2.0 Profiles 4.1.4.3) and return the visitor to
// where the sign-in started. Each request can be taken exactly once.
//
// Threading: a light handle over a shared Database; safe from any thread and
// across processes (Take is a single DELETE ... RETURNING in a write
// transaction).
// Errors: "store.query_failed", "store.request_duplicate",
// "store.request_unknown", "store.request_expired".
#pragma once

#include <memory>
#include <string>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store {

struct PendingRequest {
  std::string request_id;   ///< AuthnRequest ID
  std::string relay_state;  ///< unguessable, unique
  std::string visitor_id;
  std::string return_url;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
};

class RequestStore {
 public:
  explicit RequestStore(std::shared_ptr<Database> db) : db_(std::move(db)) {}

  /// Committed before it returns. A relay_state or request_id already stored
  /// is "store.request_duplicate".
  Status Save(const PendingRequest& request);
  /// Removes and returns the request. "store.request_unknown": never issued
  /// or already used; "store.request_expired": it was found (and is now
  /// removed) but expires_at is before `now`.
  Result<PendingRequest> Take(const std::string& relay_state, UnixSeconds now);
  /// Deletes requests with expires_at before `now`; returns how many.
  Result<int> PurgeExpired(UnixSeconds now);

 private:
  std::shared_ptr<Database> db_;
};

}  // namespace vsso::store
