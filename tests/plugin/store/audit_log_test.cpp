#include "store/audit_log.hpp"

#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

using AuditLogTest = StoreTest;

AuditEvent Event(UnixSeconds at, const std::string& code) {
  AuditEvent e;
  e.at = at;
  e.kind = "sign_in_rejected";
  e.code = code;
  e.message = "message for " + code;
  e.issuer = "https://idp.example.org";
  e.assertion_id = "_id-" + code;
  e.visitor_id = "v1";
  return e;
}

TEST_F(AuditLogTest, LatestIsNewestFirst) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db);
  // Out of time order on purpose; two events share a second.
  ASSERT_TRUE(log.Record(Event(200, "b")));
  ASSERT_TRUE(log.Record(Event(100, "a")));
  ASSERT_TRUE(log.Record(Event(300, "c1")));
  ASSERT_TRUE(log.Record(Event(300, "c2")));

  auto latest = log.Latest(3);
  ASSERT_TRUE(latest) << latest.error().message;
  ASSERT_EQ(latest->size(), 3u);
  EXPECT_EQ((*latest)[0].code, "c2");  // same second: later insert first
  EXPECT_EQ((*latest)[1].code, "c1");
  EXPECT_EQ((*latest)[2].code, "b");
  EXPECT_EQ((*latest)[0].message, "message for c2");
  EXPECT_EQ((*latest)[0].assertion_id, "_id-c2");
  EXPECT_EQ((*latest)[0].issuer, "https://idp.example.org");
  EXPECT_EQ((*latest)[0].visitor_id, "v1");
  EXPECT_EQ((*latest)[0].kind, "sign_in_rejected");
  EXPECT_GT((*latest)[0].id, (*latest)[1].id);

  auto all = log.Latest(100);
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 4u);
  EXPECT_EQ(all->back().code, "a");

  auto bad = log.Latest(0);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "store.bad_limit");
}

TEST_F(AuditLogTest, LatestFiltersByKind) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db);
  ASSERT_TRUE(log.Record(Event(100, "rejected")));
  AuditEvent accepted = Event(200, "ok");
  accepted.kind = "sign_in_accepted";
  ASSERT_TRUE(log.Record(accepted));

  auto rejected = log.Latest(10, "sign_in_rejected");
  ASSERT_TRUE(rejected) << rejected.error().message;
  ASSERT_EQ(rejected->size(), 1u);
  EXPECT_EQ((*rejected)[0].code, "rejected");
  auto everything = log.Latest(10);
  ASSERT_TRUE(everything);
  EXPECT_EQ(everything->size(), 2u);
}

TEST_F(AuditLogTest, PurgeBeforeKeepsTheCutoffSecondAndLater) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db);
  ASSERT_TRUE(log.Record(Event(99, "old")));
  ASSERT_TRUE(log.Record(Event(100, "edge")));
  ASSERT_TRUE(log.Record(Event(200, "new")));
  auto purged = log.PurgeBefore(100);
  ASSERT_TRUE(purged) << purged.error().message;
  EXPECT_EQ(*purged, 1);
  auto left = log.Latest(10);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 2u);
  EXPECT_EQ(left->back().code, "edge");
  EXPECT_EQ(*log.PurgeBefore(100), 0);
}

}  // namespace
}  // namespace vsso::store
