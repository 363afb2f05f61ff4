#include "store/audit_log.hpp"

#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

using AuditLogTest = EngineTest;

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

AuditEvent Rejected(UnixSeconds at, const std::string& code, const std::string& address) {
  AuditEvent e = Event(at, code);
  e.remote_address = address;
  return e;
}

TEST_P(AuditLogTest, LatestIsNewestFirst) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db, "default");
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

TEST_P(AuditLogTest, LatestFiltersByKind) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db, "default");
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

TEST_P(AuditLogTest, PurgeBeforeKeepsTheCutoffSecondAndLater) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db, "default");
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

TEST_P(AuditLogTest, IdenticalRejectionsFoldIntoOneRow) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db, "default");
  AuditEvent first = Rejected(1000, "saml.xml.malformed", "203.0.113.7");
  first.issuer = "first issuer";
  ASSERT_TRUE(log.Record(first));
  AuditEvent second = Rejected(1060, "saml.xml.malformed", "203.0.113.7");
  second.message = "latest message";
  second.issuer = "latest issuer";
  second.assertion_id = "_latest";
  second.visitor_id = "v2";
  ASSERT_TRUE(log.Record(second));
  ASSERT_TRUE(log.Record(Rejected(1030, "saml.xml.malformed", "203.0.113.7")));

  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log"), 1);
  auto latest = log.Latest(10);
  ASSERT_TRUE(latest) << latest.error().message;
  ASSERT_EQ(latest->size(), 1u);
  const AuditEvent& row = latest->front();
  EXPECT_EQ(row.count, 3);
  EXPECT_EQ(row.at, 1000);       // first occurrence stays
  EXPECT_EQ(row.last_at, 1060);  // an older late arrival does not move it back
  EXPECT_EQ(row.remote_address, "203.0.113.7");
  EXPECT_EQ(row.code, "saml.xml.malformed");
  // The latest recorded event's text (the late arrival came last).
  EXPECT_EQ(row.message, "message for saml.xml.malformed");
  EXPECT_EQ(row.issuer, "https://idp.example.org");
}

TEST_P(AuditLogTest, FoldingNeedsSameKindCodeAddressAndWindow) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db, "default");
  ASSERT_TRUE(log.Record(Rejected(1000, "a", "198.51.100.1")));
  ASSERT_TRUE(log.Record(Rejected(1001, "a", "198.51.100.2")));  // other address
  ASSERT_TRUE(log.Record(Rejected(1002, "b", "198.51.100.1")));  // other code
  ASSERT_TRUE(log.Record(Rejected(1003, "a", "")));              // no address
  ASSERT_TRUE(log.Record(Rejected(1004, "a", "")));              // folds with the previous
  AuditEvent accepted = Rejected(1005, "ok", "198.51.100.1");
  accepted.kind = "sign_in_accepted";
  ASSERT_TRUE(log.Record(accepted));
  ASSERT_TRUE(log.Record(accepted));  // other kinds never fold
  // Last seen 1000; exactly 24 h later still folds, one second more does not.
  ASSERT_TRUE(log.Record(Rejected(1000 + kFoldWindowSeconds, "a", "198.51.100.1")));
  ASSERT_TRUE(log.Record(Rejected(1000 + 2 * kFoldWindowSeconds + 1, "a", "198.51.100.1")));

  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log"), 7);
  EXPECT_EQ(Scalar("SELECT count FROM audit_log WHERE code = 'a' AND remote_address = ''"), 2);
  EXPECT_EQ(Scalar("SELECT count FROM audit_log WHERE kind = 'sign_in_accepted' LIMIT 1"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log WHERE kind = 'sign_in_accepted'"), 2);
  EXPECT_EQ(Scalar("SELECT count FROM audit_log WHERE code = 'a' AND at = 1000"), 2);
  EXPECT_EQ(Scalar("SELECT last_at FROM audit_log WHERE code = 'a' AND at = 1000"),
            1000 + kFoldWindowSeconds);
  EXPECT_EQ(Scalar("SELECT count FROM audit_log WHERE at = " +
                   std::to_string(1000 + 2 * kFoldWindowSeconds + 1)),
            1);
}

// The attack of issue 9: junk from one address must not hide a real failure
// from another in the admin's "last 20".
TEST_P(AuditLogTest, JunkFloodDoesNotHideARealFailure) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db, "default");
  ASSERT_TRUE(log.Record(Rejected(5000, "saml.signature.invalid", "192.0.2.10")));
  for (int i = 0; i < 2000; ++i) {
    ASSERT_TRUE(log.Record(Rejected(5001 + i, "saml.xml.malformed", "203.0.113.66")));
  }
  auto top = log.Latest(20, "sign_in_rejected");
  ASSERT_TRUE(top) << top.error().message;
  ASSERT_EQ(top->size(), 2u);
  EXPECT_EQ((*top)[0].code, "saml.xml.malformed");
  EXPECT_EQ((*top)[0].count, 2000);
  EXPECT_EQ((*top)[0].last_at, 5001 + 1999);
  EXPECT_EQ((*top)[1].code, "saml.signature.invalid");
  EXPECT_EQ((*top)[1].remote_address, "192.0.2.10");
  EXPECT_EQ((*top)[1].count, 1);
}

TEST_P(AuditLogTest, LatestOrdersByLastSeen) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db, "default");
  ASSERT_TRUE(log.Record(Rejected(100, "early", "192.0.2.1")));
  ASSERT_TRUE(log.Record(Rejected(200, "middle", "192.0.2.1")));
  ASSERT_TRUE(log.Record(Rejected(300, "early", "192.0.2.1")));  // seen again, last
  auto latest = log.Latest(10);
  ASSERT_TRUE(latest);
  ASSERT_EQ(latest->size(), 2u);
  EXPECT_EQ((*latest)[0].code, "early");
  EXPECT_EQ((*latest)[0].at, 100);
  EXPECT_EQ((*latest)[0].last_at, 300);
  EXPECT_EQ((*latest)[1].code, "middle");
}

TEST_P(AuditLogTest, PurgeUsesLastSeen) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db, "default");
  ASSERT_TRUE(log.Record(Rejected(100, "kept", "192.0.2.1")));
  ASSERT_TRUE(log.Record(Rejected(500, "kept", "192.0.2.1")));
  ASSERT_TRUE(log.Record(Rejected(150, "gone", "192.0.2.1")));
  auto purged = log.PurgeBefore(400);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1);
  auto left = log.Latest(10);
  ASSERT_TRUE(left);
  ASSERT_EQ(left->size(), 1u);
  EXPECT_EQ(left->front().code, "kept");
}

TEST_P(AuditLogTest, RecordCapsAndStripsUnverifiedText) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog log(db, "default");
  AuditEvent e = Rejected(100, "saml.issuer.mismatch\n", "10.0.0.1\r\nX: y");
  e.issuer = std::string(120 * 1024, 'A');  // the 120 KB Issuer of issue 9
  e.message = "line one\nline two\x1b[31m red\x7f";
  e.assertion_id = std::string(300, 'i');
  e.visitor_id = std::string("v\0isitor\0", 9);
  ASSERT_TRUE(log.Record(e));
  auto latest = log.Latest(1);
  ASSERT_TRUE(latest);
  const AuditEvent& row = latest->front();
  EXPECT_EQ(row.issuer.size(), kMaxAuditText);
  EXPECT_EQ(row.issuer, std::string(kMaxAuditText - 3, 'A') + "\xE2\x80\xA6");
  EXPECT_EQ(row.message, "line oneline two[31m red");
  EXPECT_EQ(row.assertion_id.size(), kMaxAuditText);
  EXPECT_EQ(row.visitor_id, "visitor");
  EXPECT_EQ(row.remote_address, "10.0.0.1X: y");
  EXPECT_EQ(row.code, "saml.issuer.mismatch");
  EXPECT_LE(Scalar(GetParam() == Engine::kPostgres
                       ? "SELECT MAX(octet_length(issuer)) FROM audit_log"
                       : "SELECT MAX(LENGTH(CAST(issuer AS BLOB))) FROM audit_log"),
            static_cast<long long>(kMaxAuditText));
}

TEST(AuditText, CutsOnUtf8BoundariesAndReplacesInvalidBytes) {
  EXPECT_EQ(AuditText("plain"), "plain");
  EXPECT_EQ(AuditText(""), "");
  EXPECT_EQ(AuditText("tab\tand\r\nbreaks"), "tabandbreaks");
  // Euro sign (3 bytes) across the cut: never half a character.
  std::string euros;
  for (int i = 0; i < 100; ++i) euros += "\xE2\x82\xAC";
  const std::string capped = AuditText(euros, 10);
  EXPECT_EQ(capped, "\xE2\x82\xAC\xE2\x82\xAC\xE2\x80\xA6");  // 2 euros + marker
  EXPECT_LE(capped.size(), 10u);
  // Exactly at the cap: kept whole, no marker.
  EXPECT_EQ(AuditText(std::string(256, 'x')), std::string(256, 'x'));
  EXPECT_EQ(AuditText(std::string(257, 'x')).size(), 256u);
  // Invalid UTF-8: a lone continuation byte, a truncated sequence, an
  // overlong '/', a UTF-16 surrogate.
  EXPECT_EQ(AuditText("a\x80"
                      "b"),
            "a?b");
  EXPECT_EQ(AuditText("a\xE2\x82"), "a??");
  EXPECT_EQ(AuditText("\xC0\xAF"), "??");
  EXPECT_EQ(AuditText("\xED\xA0\x80"), "???");
  EXPECT_EQ(AuditText("caf\xC3\xA9 \xF0\x9F\x98\x80"), "caf\xC3\xA9 \xF0\x9F\x98\x80");
}

VSSO_ON_BOTH_ENGINES(AuditLogTest);

}  // namespace
}  // namespace vsso::store
