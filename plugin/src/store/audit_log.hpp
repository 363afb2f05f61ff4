// What happened to sign-ins (accepted, rejected and why), for the admin CLI's
// "failures" and "history" views and the admin overview. Messages are the
// admin-facing error messages; never assertions or key material.
//
// Unverified text. Most fields hold text an unauthenticated client chose (an
// Issuer read before any signature was checked, IDs, messages quoting the
// input, the client address). Record() therefore passes every text field
// through AuditText(): control characters are removed, invalid UTF-8 is
// replaced, and the result is at most kMaxAuditText bytes.
//
// Folding. A "sign_in_rejected" event with the same code and the same
// remote_address as a stored rejection last seen at most kFoldWindowSeconds
// before it does not add a row: that row's count grows by one, its last_at
// becomes the event's time, and message, issuer, assertion_id and visitor_id
// become the event's (the latest). `at` stays the first occurrence. An empty
// remote_address (a host that passes none) folds with other empty ones. The
// window keeps a row per code and address per burst: a client that keeps
// posting junk keeps one row alive however long it goes on, so 2,000
// identical junk posts cannot push other failures out of the admin's "last
// 20"; a refusal that comes back after a quiet day gets a row of its own.
// Other kinds are never folded. The look-up and the update or insert run in
// one write transaction, so concurrent writers (threads or processes) never
// create two rows for one burst nor lose a count.
//
// Sites: an AuditLog is the view of one site (issue 12). It records events
// under its site_id, folds only into that site's rows, and lists and purges
// only them.
//
// Threading: a light handle over a shared Database; safe from any thread.
// Errors: "store.query_failed", "store.bad_limit".
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store {

/// Byte cap of every text field of a recorded event, marker included.
inline constexpr std::size_t kMaxAuditText = 256;
/// Identical rejections at most this far apart fold into one row (24 h).
inline constexpr std::int64_t kFoldWindowSeconds = 24 * 3600;

struct AuditEvent {
  std::int64_t id = 0;  ///< assigned by Record; ignored on input
  UnixSeconds at = 0;   ///< first occurrence
  std::string kind;     ///< "sign_in_accepted", "sign_in_rejected", ...
  std::string code;     ///< error code or "ok"
  std::string message;
  std::string issuer;
  std::string assertion_id;
  std::string visitor_id;
  std::string remote_address;  ///< HttpRequest::remote_address; may be empty
  std::int64_t count = 1;      ///< occurrences folded into this row; ignored on input
  UnixSeconds last_at = 0;     ///< most recent occurrence; ignored on input (Record uses `at`)
};

/// `text` made safe to store and show: C0 control characters (U+0000 to
/// U+001F, tab and line breaks included) and DEL removed, every byte of an
/// invalid UTF-8 sequence replaced by '?', and cut on a character boundary
/// so that the result including the marker "…" is at most `cap` bytes.
std::string AuditText(std::string_view text, std::size_t cap = kMaxAuditText);

class AuditLog {
 public:
  AuditLog(std::shared_ptr<Database> db, std::string site_id)
      : db_(std::move(db)), site_id_(std::move(site_id)) {}

  /// Inserts the event, or folds a rejection into its row (see above),
  /// committed before it returns.
  Status Record(const AuditEvent& event);
  /// The same, committed with the next batch of the Database's deferred
  /// writes (Database::Defer): within Database::kDeferredMilliseconds, or
  /// earlier. A crash of the process loses at most that last interval's
  /// events; a store failure loses the batch (as a failed Record loses its
  /// event). For the records of sign-ins that succeeded.
  void RecordBatched(AuditEvent event);
  /// Most recently seen first (by last_at, then by insertion order); limit
  /// 1..10000. A non-empty `kind` keeps only events of that kind. Commits
  /// this process's batched events first.
  Result<std::vector<AuditEvent>> Latest(int limit, const std::string& kind = {});
  /// Deletes this site's events last seen before `cutoff` (retention is a
  /// setting of each site); returns how many rows.
  Result<int> PurgeBefore(UnixSeconds cutoff);
  const std::string& site_id() const { return site_id_; }

 private:
  std::shared_ptr<Database> db_;
  std::string site_id_;
};

}  // namespace vsso::store
