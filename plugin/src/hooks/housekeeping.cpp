#include "hooks/housekeeping.hpp"

#include <atomic>

#include "store/audit_log.hpp"
#include "store/handoff_store.hpp"
#include "store/logout_store.hpp"
#include "store/replay_cache.hpp"
#include "store/request_store.hpp"
#include "store/session_repository.hpp"

namespace vsso::hooks {
namespace {

constexpr UnixSeconds kInterval = 60;
constexpr UnixSeconds kDay = 86400;

// When this process last ran housekeeping (runtime clock); 0: never.
std::atomic<UnixSeconds> last_run{0};

}  // namespace

namespace {

// Expired rows of every site sharing rt's store, one statement per table.
Status PurgeExpired(const Runtime& rt, HousekeepingReport& report) {
  const UnixSeconds now = rt.Now();
  // Expired requests stay a minute, so a late answer still gets the precise
  // "sso.acs.request_expired" rather than "unknown RelayState".
  auto requests =
      store::RequestStore::PurgeExpiredAllSites(*rt.db, now - store::RequestStore::kExpiredGrace);
  if (!requests) return std::move(requests).error();
  report.expired_requests += *requests;
  auto tokens =
      store::HandoffStore::PurgeExpiredAllSites(*rt.db, now - store::RequestStore::kExpiredGrace);
  if (!tokens) return std::move(tokens).error();
  report.expired_tokens += *tokens;
  auto logouts =
      store::LogoutStore::PurgeExpiredAllSites(*rt.db, now - store::LogoutStore::kExpiredGrace);
  if (!logouts) return std::move(logouts).error();
  report.expired_logouts += *logouts;
  auto sessions = store::SessionRepository::PurgeExpiredAllSites(*rt.db, now);
  if (!sessions) return std::move(sessions).error();
  report.ended_sessions += *sessions;
  // No grace: an expired entry already decides nothing (FirstUse replaces it).
  auto replays = store::ReplayCache::PurgeExpiredAllSites(*rt.db, now);
  if (!replays) return std::move(replays).error();
  report.expired_replay_entries += *replays;
  return Ok();
}

// Audit retention is a setting of the site.
Status PurgeOldAudit(const Runtime& rt, HousekeepingReport& report) {
  if (rt.settings.audit_retention_days <= 0) return Ok();
  auto events = store::AuditLog(rt.db, rt.settings.site_id)
                    .PurgeBefore(rt.Now() - rt.settings.audit_retention_days * kDay);
  if (!events) return std::move(events).error();
  report.old_audit_events += *events;
  return Ok();
}

}  // namespace

Result<HousekeepingReport> RunHousekeeping(const Runtime& rt) {
  HousekeepingReport report;
  if (auto st = PurgeExpired(rt, report); !st) return std::move(st).error();
  if (auto st = PurgeOldAudit(rt, report); !st) return std::move(st).error();
  last_run.store(rt.Now());
  return report;
}

Result<HousekeepingReport> RunHousekeeping(const Sites& sites) {
  HousekeepingReport report;
  bool expired_done = false;
  for (const Site* site : sites.sorted()) {
    if (!site->runtime) continue;
    // Sites serving a previous configuration after a failed reload may hold
    // an older store; every store a runtime uses is tidied.
    if (!expired_done || site->runtime->db != sites.db()) {
      if (auto st = PurgeExpired(*site->runtime, report); !st) return std::move(st).error();
      expired_done = site->runtime->db == sites.db();
    }
    if (auto st = PurgeOldAudit(*site->runtime, report); !st) return std::move(st).error();
  }
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
