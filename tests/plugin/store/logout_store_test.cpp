// Pending SP-initiated logouts (single use, bounded, per site) and the
// IdP-initiated logout's delete by NameID / SessionIndex, on both engines.
#include "store/logout_store.hpp"

#include <algorithm>

#include "plugin/store/store_fixture.hpp"
#include "store/session_repository.hpp"

namespace vsso::store {
namespace {

constexpr UnixSeconds kNow = 1750000000;
constexpr std::int64_t kCap = 1000;

using LogoutStoreTest = EngineTest;
using EndByNameIdTest = EngineTest;

PendingLogout Logout(const std::string& n, const std::string& browser = "browser-a",
                     UnixSeconds at = kNow) {
  return PendingLogout{"rs" + n, "_lo" + n, "visitor-" + n, "/chat?" + n, browser, at, at + 300};
}

TEST_P(LogoutStoreTest, TakeIsSingleUseAndPerSite) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  LogoutStore acme(db, "acme");
  LogoutStore globex(db, "globex");
  ASSERT_TRUE(acme.Save(Logout("1"), kNow, kCap));
  // Another site never takes it, nor removes it.
  EXPECT_EQ(globex.Take("rs1", kNow).error().code, "store.logout_unknown");
  auto taken = acme.Take("rs1", kNow + 10);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->request_id, "_lo1");
  EXPECT_EQ(taken->visitor_id, "visitor-1");
  EXPECT_EQ(taken->return_url, "/chat?1");
  EXPECT_EQ(taken->browser_hash, "browser-a");
  EXPECT_EQ(taken->expires_at, kNow + 300);
  EXPECT_EQ(acme.Take("rs1", kNow + 11).error().code, "store.logout_unknown");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM pending_logouts"), 0);
}

TEST_P(LogoutStoreTest, ExpiredOnceThenUnknownAndPurged) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  LogoutStore store(db, "default");
  ASSERT_TRUE(store.Save(Logout("1"), kNow, kCap));
  EXPECT_EQ(store.Take("rs1", kNow + 301).error().code, "store.logout_expired");
  EXPECT_EQ(store.Take("rs1", kNow + 302).error().code, "store.logout_unknown");

  ASSERT_TRUE(store.Save(Logout("2"), kNow, kCap));
  ASSERT_TRUE(store.Save(Logout("3", "browser-b", kNow + 200), kNow + 200, kCap));
  auto purged = LogoutStore::PurgeExpiredAllSites(*db, kNow + 301);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1);
  EXPECT_TRUE(store.Take("rs3", kNow + 301));
}

TEST_P(LogoutStoreTest, BoundedPerBrowserAndPerSite) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  LogoutStore store(db, "default");
  for (int i = 0; i < 8; ++i) {
    ASSERT_TRUE(store.Save(Logout(std::to_string(i), "flood", kNow + i), kNow + i, kCap));
  }
  // The browser keeps its newest kPerBrowser; the oldest were replaced.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM pending_logouts WHERE browser_hash = 'flood'"),
            LogoutStore::kPerBrowser);
  EXPECT_EQ(store.Take("rs0", kNow + 10).error().code, "store.logout_unknown");
  EXPECT_TRUE(store.Take("rs7", kNow + 10));

  LogoutStore small(db, "small");
  ASSERT_TRUE(small.Save(Logout("a", "b1"), kNow, 2));
  ASSERT_TRUE(small.Save(Logout("b", "b2"), kNow, 2));
  EXPECT_EQ(small.Save(Logout("c", "b3"), kNow, 2).error().code, "store.too_many_pending");
  // The other site's rows do not count against this site's cap.
  auto live = small.CountLive(kNow);
  ASSERT_TRUE(live);
  EXPECT_EQ(*live, 2);
  EXPECT_EQ(store.Save(Logout("a", "b1"), kNow, kCap).error().code, "store.logout_duplicate");
}

SsoSession Session(const std::string& visitor, const std::string& name_id, const std::string& index,
                   const std::string& idp = "https://idp.example/") {
  SsoSession s;
  s.visitor_id = visitor;
  s.customer_id = name_id;
  s.name_id = name_id;
  s.session_index = index;
  s.idp_entity_id = idp;
  s.signed_in_at = kNow;
  s.expires_at = kNow + 3600;
  s.fields_json = "{}";
  s.attributes_json = "{}";
  return s;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST_P(EndByNameIdTest, EndsTheNameIdsSessionsOfThisSiteAndIdpOnly) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  SessionRepository acme(db, "acme");
  SessionRepository globex(db, "globex");
  ASSERT_TRUE(acme.Upsert(Session("v1", "gold", "_s1")));
  ASSERT_TRUE(acme.Upsert(Session("v2", "gold", "_s2")));
  ASSERT_TRUE(acme.Upsert(Session("v3", "silver", "_s3")));
  ASSERT_TRUE(acme.Upsert(Session("v4", "gold", "_s4", "https://other-idp.example/")));
  ASSERT_TRUE(globex.Upsert(Session("v1", "gold", "_s1")));

  auto ended = acme.EndByNameId("https://idp.example/", "gold", {});
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(Sorted(*ended), (std::vector<std::string>{"v1", "v2"}));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions WHERE site_id = 'acme'"), 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions WHERE site_id = 'globex'"), 1);
  auto again = acme.EndByNameId("https://idp.example/", "gold", {});
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());
}

TEST_P(EndByNameIdTest, OnlyTheNamedSessionIndexes) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  SessionRepository repo(db, "default");
  ASSERT_TRUE(repo.Upsert(Session("v1", "gold", "_s1")));
  ASSERT_TRUE(repo.Upsert(Session("v2", "gold", "_s\"2\\")));
  ASSERT_TRUE(repo.Upsert(Session("v3", "gold", "_s3")));
  auto ended = repo.EndByNameId("https://idp.example/", "gold", {"_s\"2\\", "_s3", "_none"});
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(Sorted(*ended), (std::vector<std::string>{"v2", "v3"}));
  auto live = repo.FindLive("v1", kNow);
  ASSERT_TRUE(live);
  EXPECT_TRUE(live->has_value());
}

VSSO_ON_BOTH_ENGINES(LogoutStoreTest);
VSSO_ON_BOTH_ENGINES(EndByNameIdTest);

}  // namespace
}  // namespace vsso::store
