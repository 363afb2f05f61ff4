// Deletes what the store no longer needs: AuthnRequests, one-time sign-in
// tokens and pending logouts that expired unanswered over a minute ago (unauthenticated browsers
// create them, so they must not linger), SSO sessions that have ended,
// replay-cache entries past their keep_until, and audit events older than
// [sso] audit_retention_days. The sign-in itself never purges (issue 15:
// purging stays off the hot path).
//
// Run for every site at each Configure/Reload and, on a long-running host,
// at most once a minute from the sign-in endpoints of whichever site is
// used (MaybeRunHousekeeping: expired rows of all sites, that site's audit
// retention), so no timer thread is needed and an idle plugin does no work.
//
// Threading: any thread; concurrent callers of MaybeRunHousekeeping let one
// of them run it.
#pragma once

#include "common/result.hpp"
#include "hooks/runtime.hpp"
#include "hooks/sites.hpp"

namespace vsso::hooks {

struct HousekeepingReport {
  int expired_requests = 0;
  int expired_tokens = 0;
  int expired_logouts = 0;  ///< SP-initiated logouts the IdP never answered
  int ended_sessions = 0;
  int expired_replay_entries = 0;  ///< assertion IDs past their keep_until
  int old_audit_events = 0;
};

/// Purges now: expired rows of every site in runtime's store, and the audit
/// events of runtime's site past its retention. The first store error stops
/// it and is returned.
Result<HousekeepingReport> RunHousekeeping(const Runtime& runtime);
/// The same for every site (Configure, Reload): expired rows once, then each
/// site's audit retention.
Result<HousekeepingReport> RunHousekeeping(const Sites& sites);

/// Runs RunHousekeeping if a minute (by runtime.Now()) has passed since this
/// process last did; store errors are left for the next run to meet again.
void MaybeRunHousekeeping(const Runtime& runtime);

}  // namespace vsso::hooks
