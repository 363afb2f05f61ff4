// What happened to sign-ins (accepted, rejected and why), for the admin CLI's
// "failures" and "history" views. Messages are the admin-facing error
// messages; never assertions or key material.
//
// Threading: a light handle over a shared Database; safe from any thread.
// Errors: "store.query_failed", "store.bad_limit".
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store {

struct AuditEvent {
  std::int64_t id = 0;  ///< assigned by Record; ignored on input
  UnixSeconds at = 0;
  std::string kind;  ///< "sign_in_accepted", "sign_in_rejected", ...
  std::string code;  ///< error code or "ok"
  std::string message;
  std::string issuer;
  std::string assertion_id;
  std::string visitor_id;
};

class AuditLog {
 public:
  explicit AuditLog(std::shared_ptr<Database> db) : db_(std::move(db)) {}

  Status Record(const AuditEvent& event);
  /// Newest first (by `at`, then by insertion order); limit 1..10000.
  /// A non-empty `kind` keeps only events of that kind.
  Result<std::vector<AuditEvent>> Latest(int limit, const std::string& kind = {});
  /// Deletes events that happened before `cutoff`; returns how many.
  Result<int> PurgeBefore(UnixSeconds cutoff);

 private:
  std::shared_ptr<Database> db_;
};

}  // namespace vsso::store
