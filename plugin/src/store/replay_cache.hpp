// Single-use record of assertion IDs (SAML 2.0 Profiles 4.1.4.5: the SP must
// refuse an assertion ID it has already accepted while it is still valid).
// Each site is an SP of its own (issue 12): an ID is single use per site, so
// a cache is the view of one site and the same ID is accepted once by each.
//
// Threading and processes: FirstUse is one BEGIN IMMEDIATE transaction on the
// shared file, so exactly one caller wins for an ID even when several threads
// (each with its own Database or sharing one) and several processes race.
// Errors: "store.query_failed", "store.replay_bad_id".
#pragma once

#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store {

/// One assertion to record, as FirstUse's arguments.
struct ReplayClaim {
  std::string assertion_id;
  std::string issuer;
  UnixSeconds keep_until = 0;
  UnixSeconds now = 0;
};

class ReplayCache {
 public:
  /// FirstUse never purges: a sign-in pays only for its own insert.
  /// Expired entries go in the housekeeping pass (hooks/housekeeping.cpp,
  /// PurgeExpiredAllSites); until then an expired entry decides nothing.
  ReplayCache(std::shared_ptr<Database> db, std::string site_id)
      : db_(std::move(db)), site_id_(std::move(site_id)) {}

  /// true: first use, the ID is now remembered until `keep_until`;
  /// false: replay. An entry whose keep_until is before `now` no longer
  /// counts (its assertion has expired and would be refused anyway).
  Result<bool> FirstUse(const std::string& assertion_id, const std::string& issuer,
                        UnixSeconds keep_until, UnixSeconds now);
  /// FirstUse for each claim, in order, in one transaction (group commit:
  /// one commit for them all). A later claim of an ID an earlier one took
  /// is a replay, as it would be one by one. One answer per claim; if the
  /// transaction fails, nothing is recorded and every answer is its error.
  std::vector<Result<bool>> FirstUseMany(std::span<const ReplayClaim> claims);
  /// Deletes the entries of every site with keep_until before `now`, in one
  /// statement (expired entries decide nothing for any site); returns how
  /// many.
  static Result<int> PurgeExpiredAllSites(Database& db, UnixSeconds now);
  const std::string& site_id() const { return site_id_; }

 private:
  std::shared_ptr<Database> db_;
  std::string site_id_;
};

}  // namespace vsso::store
