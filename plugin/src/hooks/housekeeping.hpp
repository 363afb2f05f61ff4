// Deletes what the store no longer needs: AuthnRequests and one-time sign-in
// tokens that expired unanswered over a minute ago (unauthenticated browsers
// create them, so they must not linger), SSO sessions that have ended, and
// audit events older than [sso] audit_retention_days. The replay cache
// purges itself.
//
// Run at every Configure/Reload and, on a long-running host, at most once a
// minute from the sign-in endpoints (MaybeRunHousekeeping), so no timer
// thread is needed and an idle plugin does no work.
//
// Threading: any thread; concurrent callers of MaybeRunHousekeeping let one
// of them run it.
#pragma once

#include "common/result.hpp"
#include "hooks/runtime.hpp"

namespace vsso::hooks {

struct HousekeepingReport {
  int expired_requests = 0;
  int expired_tokens = 0;
  int ended_sessions = 0;
  int old_audit_events = 0;
};

/// Purges now; the first store error stops it and is returned.
Result<HousekeepingReport> RunHousekeeping(const Runtime& runtime);

/// Runs RunHousekeeping if a minute (by runtime.Now()) has passed since this
/// process last did; store errors are left for the next run to meet again.
void MaybeRunHousekeeping(const Runtime& runtime);

}  // namespace vsso::hooks
