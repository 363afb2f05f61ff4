// Housekeeping against a real SQLite store of a test deployment: what has
// ended goes, what is live (or recent enough to explain itself) stays.
#include "hooks/housekeeping.hpp"

#include <gtest/gtest.h>

#include "hooks/plugin_impl.hpp"
#include "store/audit_log.hpp"
#include "store/replay_cache.hpp"
#include "store/request_store.hpp"
#include "store/session_repository.hpp"
#include "support/deployment.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

constexpr UnixSeconds kDay = 86400;

store::PendingRequest Request(const std::string& relay_state, UnixSeconds expires_at) {
  return {"_req-" + relay_state, relay_state,      "v1",      "/chat",
          "b-" + relay_state,    expires_at - 600, expires_at};
}

store::SsoSession Session(const std::string& visitor, UnixSeconds expires_at) {
  store::SsoSession s;
  s.visitor_id = visitor;
  s.customer_id = "cust-" + visitor;
  s.signed_in_at = expires_at - 3600;
  s.expires_at = expires_at;
  s.fields_json = "[]";
  s.attributes_json = "{}";
  return s;
}

store::AuditEvent Event(UnixSeconds at, const std::string& code) {
  store::AuditEvent e;
  e.at = at;
  e.kind = "sign_in_rejected";
  e.code = code;
  return e;
}

// Fills the deployment's store with one item on each side of every limit.
void Seed(const Deployment& deployment) {
  auto db = store::Database::Open(deployment.database().string());
  ASSERT_TRUE(db) << db.error().message;
  store::RequestStore requests(*db, "default");
  // Saved as of a day ago, so that Save's own purge keeps them all.
  const UnixSeconds then = kTestNow - kDay - 600;
  ASSERT_TRUE(requests.Save(Request("stale", kTestNow - 61), then, 100));
  ASSERT_TRUE(requests.Save(Request("late", kTestNow - 30), then, 100));
  ASSERT_TRUE(requests.Save(Request("pending", kTestNow + 300), then, 100));
  store::SessionRepository sessions(*db, "default");
  ASSERT_TRUE(sessions.Upsert(Session("ended", kTestNow)));
  ASSERT_TRUE(sessions.Upsert(Session("live", kTestNow + 1)));
  store::AuditLog log(*db, "default");
  ASSERT_TRUE(log.Record(Event(kTestNow - 31 * kDay, "old")));
  ASSERT_TRUE(log.Record(Event(kTestNow - 29 * kDay, "recent")));
  // Replay entries of two sites: expired ones decide nothing and go, a live
  // one stays (sign-ins never purge, so only housekeeping removes them).
  ASSERT_TRUE(*store::ReplayCache(*db, "default").FirstUse("_expired", "idp", kTestNow - 1, then));
  ASSERT_TRUE(*store::ReplayCache(*db, "other").FirstUse("_expired", "idp", kTestNow - 1, then));
  ASSERT_TRUE(*store::ReplayCache(*db, "default").FirstUse("_live", "idp", kTestNow, then));
}

TEST(Housekeeping, PurgesWhatHasEndedAndKeepsWhatIsLive) {
  DeploymentOptions options;
  options.extra_sso = "audit_retention_days = 30\n";
  Deployment deployment(options);
  Seed(deployment);
  auto rt = hooks::Runtime::Build(deployment.config().string(), kTestNow);
  ASSERT_TRUE(rt) << rt.error().message;

  auto report = hooks::RunHousekeeping(**rt);
  ASSERT_TRUE(report) << report.error().message;
  EXPECT_EQ(report->expired_requests, 1);
  EXPECT_EQ(report->ended_sessions, 1);
  EXPECT_EQ(report->old_audit_events, 1);
  EXPECT_EQ(report->expired_replay_entries, 2);
  // The live entry still refuses its ID; the expired ones are gone.
  store::ReplayCache replay((*rt)->db, (*rt)->settings.site_id);
  EXPECT_FALSE(*replay.FirstUse("_live", "idp", kTestNow + 300, kTestNow));
  EXPECT_EQ(store::ReplayCache::PurgeExpiredAllSites(*(*rt)->db, kTestNow).value(), 0);

  store::RequestStore requests((*rt)->db, (*rt)->settings.site_id);
  EXPECT_EQ(requests.Take("stale", kTestNow).error().code, "store.request_unknown");
  // Expired less than a minute ago: still explained precisely at the ACS.
  EXPECT_EQ(requests.Take("late", kTestNow).error().code, "store.request_expired");
  EXPECT_TRUE(requests.Take("pending", kTestNow));
  store::SessionRepository sessions((*rt)->db, (*rt)->settings.site_id);
  EXPECT_TRUE(*sessions.FindLive("live", kTestNow));
  EXPECT_FALSE(sessions.Delete("ended").value());
  auto events = store::AuditLog((*rt)->db, (*rt)->settings.site_id).Latest(10);
  ASSERT_TRUE(events);
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].code, "recent");
}

TEST(Housekeeping, RetentionZeroKeepsTheAuditLog) {
  DeploymentOptions options;
  options.extra_sso = "audit_retention_days = 0\n";
  Deployment deployment(options);
  Seed(deployment);
  hooks::PluginImpl plugin;
  ASSERT_TRUE(plugin.Configure({deployment.config().string(), kTestNow}));
  auto db = store::Database::Open(deployment.database().string());
  ASSERT_TRUE(db);
  auto events = store::AuditLog(*db, "default").Latest(10);
  ASSERT_TRUE(events);
  EXPECT_EQ(events->size(), 2u);
  // Configure ran the rest of the housekeeping.
  EXPECT_EQ(store::RequestStore(*db, "default").Take("stale", kTestNow).error().code,
            "store.request_unknown");
}

}  // namespace
}  // namespace vsso::testing
