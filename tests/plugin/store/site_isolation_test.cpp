// Issue 12: one database serves many sites, and every repository is the view
// of one site. Each test writes through site A (and often the same keys
// through site B) into one real database (a SQLite file, or PostgreSQL) and checks that nothing of
// A is visible, changed or taken through B.
#include <string>
#include <vector>

#include "plugin/crypto/cert_factory.hpp"
#include "plugin/store/store_fixture.hpp"
#include "store/audit_log.hpp"
#include "store/certificate_repository.hpp"
#include "store/handoff_store.hpp"
#include "store/mapping_repository.hpp"
#include "store/replay_cache.hpp"
#include "store/request_store.hpp"
#include "store/session_repository.hpp"
#include "store/transcript_repository.hpp"

namespace vsso::store {
namespace {

namespace certs = vsso::testing::certs;

constexpr UnixSeconds kNow = 1750000000;
constexpr const char* kA = "site-a";
constexpr const char* kB = "site-b";

class SiteIsolationTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    if (IsSkipped()) return;
    db_ = OpenDb();
    ASSERT_TRUE(db_);
  }
  std::shared_ptr<Database> db_;
};

SsoSession Session(const std::string& visitor, const std::string& customer) {
  SsoSession s;
  s.visitor_id = visitor;
  s.customer_id = customer;
  s.name_id = customer;
  s.name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
  s.session_index = "_s";
  s.idp_entity_id = "https://idp.example.org";
  s.signed_in_at = kNow;
  s.expires_at = kNow + 3600;
  s.fields_json = "[]";
  s.attributes_json = "{}";
  return s;
}

TEST_P(SiteIsolationTest, SessionsOfOneSiteAreGuestsElsewhere) {
  SessionRepository a(db_, kA);
  SessionRepository b(db_, kB);
  ASSERT_TRUE(a.Upsert(Session("v1", "C-A")));

  auto through_b = b.FindLive("v1", kNow + 1);
  ASSERT_TRUE(through_b) << through_b.error().message;
  EXPECT_FALSE(through_b->has_value());
  // B's sign-out does not end A's session.
  auto deleted = b.Delete("v1");
  ASSERT_TRUE(deleted);
  EXPECT_FALSE(*deleted);

  // The same host visitor signed in on both sites: two sessions.
  ASSERT_TRUE(b.Upsert(Session("v1", "C-B")));
  auto on_a = a.FindLive("v1", kNow + 1);
  auto on_b = b.FindLive("v1", kNow + 1);
  ASSERT_TRUE(on_a && on_a->has_value());
  ASSERT_TRUE(on_b && on_b->has_value());
  EXPECT_EQ((*on_a)->customer_id, "C-A");
  EXPECT_EQ((*on_b)->customer_id, "C-B");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions WHERE visitor_id = 'v1'"), 2);

  ASSERT_TRUE(*b.Delete("v1"));
  on_a = a.FindLive("v1", kNow + 1);
  ASSERT_TRUE(on_a);
  EXPECT_TRUE(on_a->has_value());
}

PendingRequest Request(const std::string& n, const std::string& browser = "browser-1") {
  return PendingRequest{"_req" + n, "rs" + n, "visitor-" + n, "/chat?" + n,
                        browser,    kNow,     kNow + 600};
}

TEST_P(SiteIsolationTest, APendingSignInIsTakenOnlyByItsSite) {
  RequestStore a(db_, kA);
  RequestStore b(db_, kB);
  ASSERT_TRUE(a.Save(Request("1"), kNow, 100));

  auto wrong_site = b.Take("rs1", kNow + 1);
  ASSERT_FALSE(wrong_site);
  EXPECT_EQ(wrong_site.error().code, "store.request_unknown");
  EXPECT_NE(wrong_site.error().message.find(kB), std::string::npos) << wrong_site.error().message;
  // B's attempt did not consume it.
  auto taken = a.Take("rs1", kNow + 2);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->request_id, "_req1");
}

TEST_P(SiteIsolationTest, RequestIdsCountsAndBoundsArePerSite) {
  RequestStore a(db_, kA);
  RequestStore b(db_, kB);
  // The same AuthnRequest ID may be issued by two sites (they are two SPs);
  // the RelayState, a random key, stays unique over the whole store.
  auto r = Request("1");
  ASSERT_TRUE(a.Save(r, kNow, 100));
  r.relay_state = "rs1-b";
  ASSERT_TRUE(b.Save(r, kNow, 100));
  auto same_relay = Request("1");
  same_relay.request_id = "_other";
  EXPECT_EQ(b.Save(same_relay, kNow, 100).error().code, "store.request_duplicate");

  // One browser keeps kPerBrowser sign-ins on each site.
  for (int i = 0; i < RequestStore::kPerBrowser + 2; ++i) {
    auto ra = Request("a" + std::to_string(i), "browser-2");
    ra.created_at = kNow + i;
    ASSERT_TRUE(a.Save(ra, kNow + i, 100));
    auto rb = Request("b" + std::to_string(i), "browser-2");
    rb.created_at = kNow + i;
    ASSERT_TRUE(b.Save(rb, kNow + i, 100));
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM authn_requests WHERE browser_hash = 'browser-2' AND "
                   "site_id = 'site-a'"),
            RequestStore::kPerBrowser);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM authn_requests WHERE browser_hash = 'browser-2' AND "
                   "site_id = 'site-b'"),
            RequestStore::kPerBrowser);
  EXPECT_EQ(*a.CountLive(kNow), RequestStore::kPerBrowser + 1);
  EXPECT_EQ(*b.CountLive(kNow), RequestStore::kPerBrowser + 1);

  // max_pending_sign_ins is a cap per site: A full does not stop B.
  const std::int64_t cap = RequestStore::kPerBrowser + 1;
  auto refused = a.Save(Request("x", "browser-3"), kNow + 10, cap);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, "store.too_many_pending");
  EXPECT_NE(refused.error().message.find(kA), std::string::npos) << refused.error().message;
  EXPECT_TRUE(b.Save(Request("y", "browser-3"), kNow + 10, cap + 1));
}

TEST_P(SiteIsolationTest, AnAssertionIdIsSingleUsePerSite) {
  ReplayCache a(db_, kA);
  ReplayCache b(db_, kB);
  EXPECT_TRUE(*a.FirstUse("_id", "https://idp.example.org", kNow + 300, kNow));
  EXPECT_FALSE(*a.FirstUse("_id", "https://idp.example.org", kNow + 300, kNow + 1));
  // Another SP: its own first use, then its own replay.
  EXPECT_TRUE(*b.FirstUse("_id", "https://idp.example.org", kNow + 300, kNow + 2));
  EXPECT_FALSE(*b.FirstUse("_id", "https://idp.example.org", kNow + 300, kNow + 3));
  EXPECT_FALSE(*a.FirstUse("_id", "https://idp.example.org", kNow + 300, kNow + 4));
}

TranscriptTag Tag(const std::string& id, const std::string& customer, const std::string& team,
                  UnixSeconds saved_at) {
  return TranscriptTag{id,   "chat-" + id, "visitor-" + id, customer, "https://idp.example.org",
                       true, team,         saved_at};
}

std::vector<std::string> Ids(const Page& page) {
  std::vector<std::string> ids;
  for (const auto& r : page.rows) ids.push_back(r.transcript_id);
  return ids;
}

TEST_P(SiteIsolationTest, HistoryByCustomerTeamAndTimeShowsOnlyTheSitesTranscripts) {
  TranscriptRepository a(db_, kA);
  TranscriptRepository b(db_, kB);
  ASSERT_TRUE(a.Save(Tag("t1", "C-1", "gold", 100)));
  ASSERT_TRUE(a.Save(Tag("t2", "C-1", "gold", 200)));
  ASSERT_TRUE(a.Save(Tag("t3", "C-1", "gold", 300)));
  // The same transcript ID, customer and team on B (IDs are the host's).
  ASSERT_TRUE(b.Save(Tag("t2", "C-1", "gold", 250)));
  ASSERT_TRUE(b.Save(Tag("u1", "C-1", "gold", 150)));

  auto by_customer = a.FindByCustomerId("C-1", 10, "");
  ASSERT_TRUE(by_customer) << by_customer.error().message;
  EXPECT_EQ(Ids(*by_customer), (std::vector<std::string>{"t3", "t2", "t1"}));
  EXPECT_EQ(by_customer->rows[1].saved_at, 200);  // A's t2, not B's
  auto b_customer = b.FindByCustomerId("C-1", 10, "");
  ASSERT_TRUE(b_customer);
  EXPECT_EQ(Ids(*b_customer), (std::vector<std::string>{"t2", "u1"}));

  auto by_team = b.FindByTeam("gold", 10, "");
  ASSERT_TRUE(by_team);
  EXPECT_EQ(Ids(*by_team), (std::vector<std::string>{"t2", "u1"}));
  auto by_time = b.FindBySavedAt(TimeRange{0, 1000}, 10, "");
  ASSERT_TRUE(by_time);
  EXPECT_EQ(Ids(*by_time), (std::vector<std::string>{"t2", "u1"}));
  auto a_time = a.FindBySavedAt(TimeRange{0, 1000}, 10, "");
  ASSERT_TRUE(a_time);
  EXPECT_EQ(Ids(*a_time), (std::vector<std::string>{"t3", "t2", "t1"}));

  // A cursor of A's pages continues through B's rows only.
  auto first = a.FindByCustomerId("C-1", 1, "");
  ASSERT_TRUE(first);
  auto continued = b.FindByCustomerId("C-1", 10, first->next_cursor);
  ASSERT_TRUE(continued) << continued.error().message;
  EXPECT_EQ(Ids(*continued), (std::vector<std::string>{"t2", "u1"}));
}

AuditEvent Rejected(UnixSeconds at, const std::string& code) {
  AuditEvent e;
  e.at = at;
  e.kind = "sign_in_rejected";
  e.code = code;
  e.message = "refused: " + code;
  e.remote_address = "192.0.2.7";
  return e;
}

TEST_P(SiteIsolationTest, AuditLatestFoldAndRetentionArePerSite) {
  AuditLog a(db_, kA);
  AuditLog b(db_, kB);
  ASSERT_TRUE(a.Record(Rejected(kNow, "saml.signature.invalid")));
  // The same refusal from the same address on B is B's own row, not a fold
  // into A's.
  ASSERT_TRUE(b.Record(Rejected(kNow + 1, "saml.signature.invalid")));
  ASSERT_TRUE(a.Record(Rejected(kNow + 2, "saml.signature.invalid")));
  AuditEvent accepted;
  accepted.at = kNow + 3;
  accepted.kind = "sign_in_accepted";
  accepted.code = "ok";
  b.RecordBatched(accepted);

  auto on_a = a.Latest(10);
  ASSERT_TRUE(on_a) << on_a.error().message;
  ASSERT_EQ(on_a->size(), 1u);
  EXPECT_EQ((*on_a)[0].count, 2);
  EXPECT_EQ((*on_a)[0].last_at, kNow + 2);
  auto on_b = b.Latest(10);
  ASSERT_TRUE(on_b);
  ASSERT_EQ(on_b->size(), 2u);
  EXPECT_EQ((*on_b)[0].kind, "sign_in_accepted");
  EXPECT_EQ((*on_b)[1].count, 1);
  auto b_rejected = b.Latest(10, "sign_in_rejected");
  ASSERT_TRUE(b_rejected);
  EXPECT_EQ(b_rejected->size(), 1u);
  auto nobody = AuditLog(db_, "site-c").Latest(10);
  ASSERT_TRUE(nobody);
  EXPECT_TRUE(nobody->empty());

  // Retention is a setting of each site: A's purge leaves B's rows.
  auto purged = a.PurgeBefore(kNow + 100);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log WHERE site_id = 'site-b'"), 2);
}

TEST_P(SiteIsolationTest, CertificatesAreTrustedPerSite) {
  auto key = certs::Ec();
  const auto cert =
      certs::Parse(certs::SelfSignedPem(key.get(), "idp-a", kNow - 86400, kNow + 86400 * 365));
  CertificateRepository a(db_, kA);
  CertificateRepository b(db_, kB);
  auto synced = a.SyncConfigCertificates({cert}, kNow);
  ASSERT_TRUE(synced) << synced.error().message;
  EXPECT_EQ(synced->added, 1);

  auto b_active = b.ActiveCertificates();
  ASSERT_TRUE(b_active) << b_active.error().message;
  EXPECT_TRUE(b_active->empty());
  auto b_all = b.List(true);
  ASSERT_TRUE(b_all);
  EXPECT_TRUE(b_all->empty());
  auto b_remove = b.Remove(cert.sha256_fingerprint, kNow);
  ASSERT_FALSE(b_remove);
  EXPECT_EQ(b_remove.error().code, "store.certificate_unknown");
  // B's sync of an empty list deactivates nothing of A's.
  auto b_sync = b.SyncConfigCertificates({}, kNow);
  ASSERT_TRUE(b_sync);
  EXPECT_EQ(b_sync->deactivated, 0);

  // The same certificate trusted by both, removed by an admin of A only.
  auto added = b.Add(cert, "admin", kNow);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->source, "admin");
  ASSERT_TRUE(*a.Remove(cert.sha256_fingerprint.substr(0, 8), kNow + 1));
  EXPECT_TRUE(a.ActiveCertificates()->empty());
  ASSERT_EQ(b.ActiveCertificates()->size(), 1u);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM certificates"), 2);
}

TEST_P(SiteIsolationTest, MappingsArePerSite) {
  MappingRepository a(db_, kA);
  MappingRepository b(db_, kB);
  const std::vector<MappingRow> rows_a = {{0, "email", {"mail"}}, {1, "name", {"cn"}}};
  const std::vector<MappingRow> rows_b = {{0, "email", {"emailAddress"}}};
  ASSERT_TRUE(*a.Sync(rows_a));
  EXPECT_TRUE(b.List()->empty());
  ASSERT_TRUE(*b.Sync(rows_b));
  EXPECT_EQ(*a.List(), rows_a);
  EXPECT_EQ(*b.List(), rows_b);
  // Syncing A again with its own rows changes nothing (B's rows are not A's).
  EXPECT_FALSE(*a.Sync(rows_a));
  ASSERT_TRUE(*b.Sync({}));
  EXPECT_EQ(*a.List(), rows_a);
}

TEST_P(SiteIsolationTest, AHandoffTokenIsRedeemedOnlyOnItsSite) {
  HandoffStore a(db_, kA);
  HandoffStore b(db_, kB);
  Handoff h;
  h.token_hash = "hash-1";
  h.kind = HandoffKind::kCode;
  h.browser_hash = "browser-1";
  h.payload = "visitor-1";
  h.return_url = "/chat";
  h.created_at = kNow;
  h.expires_at = kNow + 60;
  ASSERT_TRUE(a.Save(h, kNow));

  auto wrong_site = b.Take("hash-1", HandoffKind::kCode, kNow + 1);
  ASSERT_FALSE(wrong_site);
  EXPECT_EQ(wrong_site.error().code, "store.handoff_unknown");
  auto taken = a.Take("hash-1", HandoffKind::kCode, kNow + 2);
  ASSERT_TRUE(taken) << taken.error().message;
  EXPECT_EQ(taken->payload, "visitor-1");

  // Expired tokens go for every site in one statement.
  h.token_hash = "hash-2";
  ASSERT_TRUE(a.Save(h, kNow));
  h.token_hash = "hash-3";
  ASSERT_TRUE(b.Save(h, kNow));
  auto purged = HandoffStore::PurgeExpiredAllSites(*db_, kNow + 61);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 2);
}

VSSO_ON_BOTH_ENGINES(SiteIsolationTest);

}  // namespace
}  // namespace vsso::store
