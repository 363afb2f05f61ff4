// A visitor's SSO session: who the IdP said they are and the mapped fields,
// bound to the host's visitor ID until expires_at. Sessions belong to a site
// (issue 12): a repository is the view of one site, and a visitor signed in
// on one site is a guest on every other.
//
// Threading: a light handle over a shared Database; safe from any thread.
// Errors: "store.query_failed".
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store {

struct SsoSession {
  std::string visitor_id;
  std::string customer_id;
  std::string name_id;
  std::string name_id_format;
  std::string session_index;
  std::string idp_entity_id;
  UnixSeconds signed_in_at = 0;
  UnixSeconds expires_at = 0;
  std::string fields_json;        ///< mapped chat fields, as written by the caller
  std::string attributes_json;    ///< IdP attributes, as written by the caller
  std::string name_qualifier;     ///< the NameID's NameQualifier; empty when absent
  std::string sp_name_qualifier;  ///< the NameID's SPNameQualifier; empty when absent

  bool operator==(const SsoSession&) const = default;
};

/// What the chat hooks (ChatWillStart, ChatWillBeRouted) read of a live
/// session: three columns instead of twelve. SQLite copies every text
/// column it returns into a buffer of its own (a malloc each) and the
/// attributes JSON is the widest; these hooks run for every chat (issue 15:
/// chat start at most 20 us, routing with 100 rules at most 5 us).
struct LiveIdentity {
  std::string customer_id;
  UnixSeconds expires_at = 0;
  std::string fields_json;

  bool operator==(const LiveIdentity&) const = default;
};

class SessionRepository {
 public:
  SessionRepository(std::shared_ptr<Database> db, std::string site_id)
      : db_(std::move(db)), site_id_(std::move(site_id)) {}

  /// Creates or replaces the visitor's session (a new sign-in wins).
  Status Upsert(const SsoSession& session);
  /// The visitor's session if expires_at is after `now`; nullopt otherwise.
  Result<std::optional<SsoSession>> FindLive(const std::string& visitor_id, UnixSeconds now);
  /// The same test as FindLive, returning only what the chat hooks need.
  Result<std::optional<LiveIdentity>> FindLiveIdentity(const std::string& visitor_id,
                                                       UnixSeconds now);
  /// true if a session was deleted (sign-out).
  Result<bool> Delete(const std::string& visitor_id);
  /// IdP-initiated single logout (SAML Profiles 4.4.3.3): deletes this
  /// site's sessions of `name_id` at `idp_entity_id`, only those with one of
  /// `session_indexes` when the request named any, in one statement
  /// (DELETE ... RETURNING: SQLite 3.35+, PostgreSQL). Returns the visitor
  /// IDs whose sessions ended (the host wakes their chat windows).
  Result<std::vector<std::string>> EndByNameId(const std::string& idp_entity_id,
                                               const std::string& name_id,
                                               const std::vector<std::string>& session_indexes);
  /// Deletes the sessions of every site with expires_at at or before `now`,
  /// in one statement (housekeeping); returns how many.
  static Result<int> PurgeExpiredAllSites(Database& db, UnixSeconds now);
  const std::string& site_id() const { return site_id_; }

 private:
  std::shared_ptr<Database> db_;
  std::string site_id_;
};

}  // namespace vsso::store
