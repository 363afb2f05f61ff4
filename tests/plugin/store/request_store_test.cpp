#include "store/request_store.hpp"

#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

constexpr UnixSeconds kNow = 1750000000;

using RequestStoreTest = EngineTest;

constexpr std::int64_t kCap = 1000;

PendingRequest Request(const std::string& n, const std::string& browser = "browser-a") {
  return PendingRequest{"_req" + n, "rs" + n, "visitor-" + n, "/chat?" + n,
                        browser,    kNow,     kNow + 600};
}

TEST_P(RequestStoreTest, TakeIsSingleUse) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  RequestStore store(db, "default");
  ASSERT_TRUE(store.Save(Request("1"), kNow, kCap));
  auto taken = store.Take("rs1", kNow + 30);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->request_id, "_req1");
  EXPECT_EQ(taken->relay_state, "rs1");
  EXPECT_EQ(taken->visitor_id, "visitor-1");
  EXPECT_EQ(taken->return_url, "/chat?1");
  EXPECT_EQ(taken->browser_hash, "browser-a");
  EXPECT_EQ(taken->created_at, kNow);
  EXPECT_EQ(taken->expires_at, kNow + 600);

  auto again = store.Take("rs1", kNow + 31);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "store.request_unknown");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM authn_requests"), 0);

  auto never = store.Take("never-issued", kNow);
  ASSERT_FALSE(never);
  EXPECT_EQ(never.error().code, "store.request_unknown");
}

TEST_P(RequestStoreTest, ExpiredRequestIsReportedOnceThenUnknown) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  RequestStore store(db, "default");
  ASSERT_TRUE(store.Save(Request("2"), kNow, kCap));
  auto late = store.Take("rs2", kNow + 645);
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().code, "store.request_expired");
  EXPECT_NE(late.error().message.find("expired 45 seconds ago"), std::string::npos)
      << late.error().message;
  auto again = store.Take("rs2", kNow + 646);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, "store.request_unknown");
}

TEST_P(RequestStoreTest, DuplicateSaveIsRefused) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  RequestStore store(db, "default");
  ASSERT_TRUE(store.Save(Request("3"), kNow, kCap));
  auto same_relay = Request("3");
  same_relay.request_id = "_other";
  auto st = store.Save(same_relay, kNow, kCap);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "store.request_duplicate");
  auto same_id = Request("3");
  same_id.relay_state = "other";
  auto st2 = store.Save(same_id, kNow, kCap);
  ASSERT_FALSE(st2);
  EXPECT_EQ(st2.error().code, "store.request_duplicate");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM authn_requests"), 1);
}

TEST_P(RequestStoreTest, PurgeExpiredAllSitesInOneStatement) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  RequestStore store(db, "default");
  RequestStore other(db, "other");
  auto old_request = Request("4");
  old_request.expires_at = kNow + 10;
  ASSERT_TRUE(store.Save(old_request, kNow, kCap));
  ASSERT_TRUE(store.Save(Request("5"), kNow, kCap));
  auto old_other = Request("6");
  old_other.expires_at = kNow + 10;
  ASSERT_TRUE(other.Save(old_other, kNow, kCap));
  auto purged = RequestStore::PurgeExpiredAllSites(*db, kNow + 11);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 2);
  EXPECT_FALSE(store.Take("rs4", kNow + 11));
  EXPECT_FALSE(other.Take("rs6", kNow + 11));
  EXPECT_TRUE(store.Take("rs5", kNow + 11));
}

TEST_P(RequestStoreTest, OneBrowserKeepsItsFiveNewestSignIns) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  RequestStore store(db, "default");
  ASSERT_TRUE(store.Save(Request("other", "browser-b"), kNow, kCap));
  for (int i = 0; i < 8; ++i) {
    auto r = Request(std::to_string(i));
    r.created_at = kNow + i;
    ASSERT_TRUE(store.Save(r, kNow + i, kCap));
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM authn_requests WHERE browser_hash = 'browser-a'"),
            RequestStore::kPerBrowser);
  // The three oldest were replaced; the other browser's sign-in is untouched.
  for (const char* gone : {"rs0", "rs1", "rs2"}) {
    EXPECT_EQ(store.Take(gone, kNow + 10).error().code, "store.request_unknown") << gone;
  }
  EXPECT_TRUE(store.Take("rs7", kNow + 10));
  EXPECT_TRUE(store.Take("rsother", kNow + 10));
}

TEST_P(RequestStoreTest, SiteCapRefusesBeyondTheLimitUntilSomeExpire) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  RequestStore store(db, "default");
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store.Save(Request(std::to_string(i), "b" + std::to_string(i)), kNow, 10));
  }
  auto refused = store.Save(Request("x", "bx"), kNow, 10);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "store.too_many_pending");
  EXPECT_NE(refused.error().message.find("max_pending_sign_ins"), std::string::npos);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM authn_requests"), 10);
  // Once they have expired (and the minute's grace has passed) Save purges
  // them and there is room again.
  EXPECT_TRUE(store.Save(Request("y", "by"), kNow + 600 + RequestStore::kExpiredGrace + 1, 10));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM authn_requests"), 1);
}

VSSO_ON_BOTH_ENGINES(RequestStoreTest);

}  // namespace
}  // namespace vsso::store
