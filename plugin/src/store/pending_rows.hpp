// The mechanics shared by pending sign-ins (RequestStore, table
// authn_requests) and pending sign-outs (LogoutStore, table pending_logouts):
// rows keyed by an unguessable RelayState, bounded per browser and per site,
// taken exactly once. Each store keeps its own public API, row type and error
// codes; this only holds the SQL once. Internal to the store part.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store::detail {

struct PendingRow {
  std::string relay_state;
  std::string request_id;
  std::string visitor_id;
  std::string return_url;
  std::string browser_hash;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
};

/// What differs between the two tables. `table` and `sqlite_tie_break` are
/// compile-time constants pasted into SQL, never input. Each store names its
/// own error codes in full (so that docs/errors.md's check finds them);
/// "store.too_many_pending" is both stores'. The messages are each store's
/// own.
struct PendingKind {
  const char* table;
  /// Among rows of the same second, the newest by this column (SQLite).
  /// PostgreSQL has no insertion order: there it is always relay_state.
  const char* sqlite_tie_break;
  const char* duplicate_code;
  const char* unknown_code;
  const char* expired_code;
  std::string (*too_many_message)(std::int64_t live, const std::string& site_id);
  std::string (*duplicate_message)(const PendingRow& row);
  std::string (*unknown_message)(const std::string& site_id);
  std::string (*expired_message)(const PendingRow& row, UnixSeconds now);
};

class PendingRows {
 public:
  static constexpr int kPerBrowser = 5;
  static constexpr UnixSeconds kExpiredGrace = 60;

  PendingRows(const PendingKind& kind, std::shared_ptr<Database> db, std::string site_id)
      : kind_(&kind), db_(std::move(db)), site_id_(std::move(site_id)) {}

  Status Save(const PendingRow& row, UnixSeconds now, std::int64_t site_cap);
  Result<PendingRow> Take(const std::string& relay_state, UnixSeconds now);
  static Result<int> PurgeExpiredAllSites(const PendingKind& kind, Database& db,
                                          UnixSeconds before);
  Result<std::int64_t> CountLive(UnixSeconds now);
  const std::string& site_id() const { return site_id_; }

 private:
  const PendingKind* kind_;
  std::shared_ptr<Database> db_;
  std::string site_id_;
};

/// PendingRequest / PendingLogout have PendingRow's members (in their own
/// order, which their callers' aggregate initialisers rely on).
template <class T>
PendingRow ToRow(const T& t) {
  return PendingRow{t.relay_state,  t.request_id, t.visitor_id, t.return_url,
                    t.browser_hash, t.created_at, t.expires_at};
}

template <class T>
T FromRow(PendingRow r) {
  T t;
  t.relay_state = std::move(r.relay_state);
  t.request_id = std::move(r.request_id);
  t.visitor_id = std::move(r.visitor_id);
  t.return_url = std::move(r.return_url);
  t.browser_hash = std::move(r.browser_hash);
  t.created_at = r.created_at;
  t.expires_at = r.expires_at;
  return t;
}

}  // namespace vsso::store::detail
