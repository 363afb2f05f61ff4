// One-time tokens of the sign-in flow under /sso/, stored by their SHA-256
// only (a copy of the database never yields a usable token):
//   kConfirm  a validated IdP-initiated sign-in waiting for the browser that
//             received it to confirm it (SAML Profiles 4.1.5: unsolicited
//             responses never sign anybody in by themselves);
//   kCode     a signed-in popup's session, to be redeemed once by the chat
//             window that opened it.
// Each token can be taken exactly once (DELETE ... RETURNING), and only
// through the site that issued it (issue 12: a store is the view of one
// site).
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
  HandoffStore(std::shared_ptr<Database> db, std::string site_id)
      : db_(std::move(db)), site_id_(std::move(site_id)) {}

  /// Committed before it returns; purges this site's tokens expired for over
  /// a minute in the same transaction, so unanswered ones never pile up.
  Status Save(const Handoff& handoff, UnixSeconds now);
  /// Removes and returns the token of that kind. "store.handoff_unknown":
  /// never issued by this site, already used, or of another kind (a token of
  /// another site stays where it is); "store.handoff_expired": found (and
  /// now removed) but past expires_at.
  Result<Handoff> Take(const std::string& token_hash, HandoffKind kind, UnixSeconds now);
  /// Deletes the tokens of every site with expires_at before `before`, in
  /// one statement (housekeeping); returns how many.
  static Result<int> PurgeExpiredAllSites(Database& db, UnixSeconds before);
  const std::string& site_id() const { return site_id_; }

 private:
  std::shared_ptr<Database> db_;
  std::string site_id_;
};

}  // namespace vsso::store
