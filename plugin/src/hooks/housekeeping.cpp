#include "hooks/housekeeping.hpp"

#include <atomic>

#include "store/audit_log.hpp"
#include "store/handoff_store.hpp"
#include "store/request_store.hpp"
#include "store/session_repository.hpp"

namespace vsso::hooks {
namespace {

constexpr UnixSeconds kInterval = 60;
constexpr UnixSeconds kDay = 86400;

// When this process last ran housekeeping (runtime clock); 0: never.
std::atomic<UnixSeconds> last_run{0};

}  // namespace

Result<HousekeepingReport> RunHousekeeping(const Runtime& rt) {
  const UnixSeconds now = rt.Now();
  HousekeepingReport report;
  // Expired requests stay a minute, so a late answer still gets the precise
  // "sso.acs.request_expired" rather than "unknown RelayState".
  // Expired rows go for all sites in one statement each; audit retention is
  // a setting of the site.
  auto requests =
      store::RequestStore::PurgeExpiredAllSites(*rt.db, now - store::RequestStore::kExpiredGrace);
  if (!requests) return std::move(requests).error();
  report.expired_requests = *requests;
  auto tokens =
      store::HandoffStore::PurgeExpiredAllSites(*rt.db, now - store::RequestStore::kExpiredGrace);
  if (!tokens) return std::move(tokens).error();
  report.expired_tokens = *tokens;
  auto sessions = store::SessionRepository::PurgeExpiredAllSites(*rt.db, now);
  if (!sessions) return std::move(sessions).error();
  report.ended_sessions = *sessions;
  if (rt.settings.audit_retention_days > 0) {
    auto events = store::AuditLog(rt.db, rt.settings.site_id)
                      .PurgeBefore(now - rt.settings.audit_retention_days * kDay);
    if (!events) return std::move(events).error();
    report.old_audit_events = *events;
  }
  last_run.store(now);
  return report;
}

void MaybeRunHousekeeping(const Runtime& rt) {
  const UnixSeconds now = rt.Now();
  UnixSeconds last = last_run.load();
  if (last != 0 && now - last < kInterval && now >= last) return;
  // One caller wins the slot; the others go on with their request.
  if (!last_run.compare_exchange_strong(last, now)) return;
  (void)RunHousekeeping(rt);
}

}  // namespace vsso::hooks
