// One-time tokens of the sign-in flow under /sso/, stored by their SHA-256
// only (a copy of the database never yields a usable token):
//   kConfirm  a validated IdP-initiated sign-in waiting for the browser that
//             received it to confirm it (SAML Profiles 4.1.5: unsolicited
//             responses never sign anybody in by themselves);
//   kCode     a signed-in popup's session, to be redeemed once by the chat
//             window that opened it.
// Each token can be taken exactly once (DELETE ... RETURNING).
//
// Threading: a light handle over a shared Database; safe from any thread and
// across processes.
// Errors: "store.query_failed", "store.handoff_duplicate",
// "store.handoff_unknown", "store.handoff_expired".
#pragma once

#include <memory>
#include <string>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store {

enum class HandoffKind { kConfirm, kCode };

struct Handoff {
  std::string token_hash;  ///< SHA-256 (hex) of the token
  HandoffKind kind = HandoffKind::kConfirm;
  /// SHA-256 (hex) of the plugin's browser cookie the token is bound to;
  /// empty when it is bound to nothing but the token itself.
  std::string browser_hash;
  std::string payload;  ///< kConfirm: the session as JSON; kCode: the source visitor
  std::string return_url;
  UnixSeconds created_at = 0;
  UnixSeconds expires_at = 0;
};

class HandoffStore {
 public:
  explicit HandoffStore(std::shared_ptr<Database> db) : db_(std::move(db)) {}

  /// Committed before it returns; purges tokens expired for over a minute in
  /// the same transaction, so unanswered ones never pile up.
  Status Save(const Handoff& handoff, UnixSeconds now);
  /// Removes and returns the token of that kind. "store.handoff_unknown":
  /// never issued, already used, or of another kind; "store.handoff_expired":
  /// found (and now removed) but past expires_at.
  Result<Handoff> Take(const std::string& token_hash, HandoffKind kind, UnixSeconds now);
  /// Deletes tokens with expires_at before `now`; returns how many.
  Result<int> PurgeExpired(UnixSeconds now);

 private:
  std::shared_ptr<Database> db_;
};

}  // namespace vsso::store
