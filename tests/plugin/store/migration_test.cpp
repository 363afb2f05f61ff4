// Migration 5 (issue 12): a database at version 4, written by a single-site
// build, is opened by this build. Its rows must move to the site 'default'
// and stay readable (and behave as before) through the repositories, while
// nothing of them is visible through another site.
#include <string>
#include <utility>
#include <vector>

#include "plugin/store/store_fixture.hpp"
#include "store/audit_log.hpp"
#include "store/certificate_repository.hpp"
#include "store/handoff_store.hpp"
#include "store/mapping_repository.hpp"
#include "store/migrations.hpp"
#include "store/replay_cache.hpp"
#include "store/request_store.hpp"
#include "store/session_repository.hpp"
#include "store/transcript_repository.hpp"

namespace vsso::store {
namespace {

constexpr UnixSeconds kNow = 1750000000;

class MigrationTest : public StoreTest {
 protected:
  // A version 4 file as the previous build left it: migrations 1 to 4 as
  // released, recorded in schema_migrations, with a row in every table.
  void WriteVersionFour() {
    std::string sql =
        "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
        "applied_at INTEGER NOT NULL);";
    for (const Migration& m : Migrations()) {
      if (m.version > 4) break;
      sql += m.sql;
      sql += "INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" + m.name +
             "', 1700000000);";
    }
    RawExec(sql);
    const std::string now = std::to_string(kNow);
    RawExec(
        "INSERT INTO certificates VALUES ('ab12', 'pem', 'CN=idp', 'CN=idp', 1, 2, 3, 'config', 1, "
        "NULL);"
        "INSERT INTO mappings VALUES (0, 'email', '[\"mail\"]');"
        "INSERT INTO replay_cache VALUES ('_used', 'https://idp.example.org', " +
        now +
        " + 300);"
        "INSERT INTO authn_requests (relay_state, request_id, visitor_id, return_url, created_at, "
        "expires_at, browser_hash) VALUES ('rs1', '_req1', 'v1', '/chat', " +
        now + ", " + now +
        " + 600, 'browser-1');"
        "INSERT INTO audit_log (id, at, kind, code, message, issuer, assertion_id, visitor_id, "
        "remote_address, count, last_at) VALUES (41, " +
        now +
        ", 'sign_in_rejected', 'saml.signature.invalid', 'm', 'i', 'a', 'v1', '192.0.2.7', 3, " +
        now +
        ");"
        "INSERT INTO sso_sessions VALUES ('v1', 'C-1', 'n', 'f', 's', 'https://idp.example.org', " +
        now + ", " + now +
        " + 3600, '[]', '{}');"
        "INSERT INTO transcript_tags VALUES ('t1', 'chat-1', 'v1', 'C-1', 'https://idp', 1, "
        "'gold', " +
        now +
        ");"
        "INSERT INTO sso_handoffs VALUES ('hash-1', 'code', 'browser-1', 'v1', '/chat', " +
        now + ", " + now + " + 60);");
  }
};

TEST_F(MigrationTest, VersionFourRowsMoveToTheDefaultSiteAndStayReadable) {
  WriteVersionFour();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->SchemaVersion(), Database::KnownSchemaVersion());
  EXPECT_EQ(Scalar("SELECT applied_at FROM schema_migrations WHERE version = 4"), 1700000000);

  for (const char* table : {"certificates", "mappings", "replay_cache", "authn_requests",
                            "audit_log", "sso_sessions", "sso_handoffs"}) {
    EXPECT_EQ(Scalar(std::string("SELECT COUNT(*) FROM ") + table + " WHERE site_id = 'default'"),
              1)
        << table;
    EXPECT_EQ(Scalar(std::string("SELECT COUNT(*) FROM ") + table), 1) << table;
  }
  // Transcript tags name their site by its key (migration 7).
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM transcript_tags t JOIN site_keys s ON "
                   "s.site_key = t.site_key WHERE s.site_id = 'default'"),
            1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM transcript_tags"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name LIKE '%_v5' OR name LIKE '%_v7'"),
            0);

  // Through the repositories of the default site, as before the upgrade.
  auto certs = CertificateRepository(db, "default").List(true);
  ASSERT_TRUE(certs) << certs.error().message;
  ASSERT_EQ(certs->size(), 1u);
  EXPECT_EQ((*certs)[0].fingerprint, "ab12");
  EXPECT_TRUE((*certs)[0].active);
  EXPECT_EQ(*MappingRepository(db, "default").List(),
            (std::vector<MappingRow>{{0, "email", {"mail"}}}));
  auto replay =
      ReplayCache(db, "default").FirstUse("_used", "https://idp.example.org", kNow + 300, kNow + 1);
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_FALSE(*replay);
  auto session = SessionRepository(db, "default").FindLive("v1", kNow + 1);
  ASSERT_TRUE(session && session->has_value());
  EXPECT_EQ((*session)->customer_id, "C-1");
  auto history = TranscriptRepository(db, "default").FindByCustomerId("C-1", 10, "");
  ASSERT_TRUE(history) << history.error().message;
  ASSERT_EQ(history->rows.size(), 1u);
  EXPECT_EQ(history->rows[0].team, "gold");

  // The folded refusal keeps its ID and count, and the next identical one
  // still folds into it.
  AuditLog audit(db, "default");
  AuditEvent again;
  again.at = kNow + 5;
  again.kind = "sign_in_rejected";
  again.code = "saml.signature.invalid";
  again.remote_address = "192.0.2.7";
  ASSERT_TRUE(audit.Record(again));
  auto events = audit.Latest(10);
  ASSERT_TRUE(events) << events.error().message;
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].id, 41);
  EXPECT_EQ((*events)[0].count, 4);

  // Nothing of it is visible through another site.
  EXPECT_TRUE(CertificateRepository(db, "other").List(true)->empty());
  EXPECT_TRUE(MappingRepository(db, "other").List()->empty());
  EXPECT_FALSE(SessionRepository(db, "other").FindLive("v1", kNow + 1)->has_value());
  EXPECT_TRUE(TranscriptRepository(db, "other").FindByCustomerId("C-1", 10, "")->rows.empty());
  EXPECT_TRUE(AuditLog(db, "other").Latest(10)->empty());
  EXPECT_EQ(RequestStore(db, "other").Take("rs1", kNow + 1).error().code, "store.request_unknown");
  EXPECT_EQ(HandoffStore(db, "other").Take("hash-1", HandoffKind::kCode, kNow + 1).error().code,
            "store.handoff_unknown");

  // The pending sign-in and the hand-off are still the default site's to take.
  auto request = RequestStore(db, "default").Take("rs1", kNow + 1);
  ASSERT_TRUE(request) << request.error().message;
  EXPECT_EQ(request->browser_hash, "browser-1");
  auto handoff = HandoffStore(db, "default").Take("hash-1", HandoffKind::kCode, kNow + 1);
  ASSERT_TRUE(handoff) << handoff.error().message;
  EXPECT_EQ(handoff->payload, "v1");
}

// Every table has a site_id that may not be NULL (transcript_tags the
// site's small integer key, migration 7), and every index a query of one
// site reads leads with it; the purges across all sites keep an index on the
// time alone.
TEST_F(MigrationTest, SchemaIsKeyedBySite) {
  ASSERT_TRUE(OpenDb());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM pragma_table_info('transcript_tags') WHERE name = "
                   "'site_key' AND \"notnull\" = 1"),
            1);
  for (const char* index :
       {"transcript_tags_transcript", "transcript_tags_customer", "transcript_tags_saved_at"}) {
    EXPECT_EQ(Scalar(std::string("SELECT COUNT(*) FROM pragma_index_info('") + index +
                     "') WHERE seqno = 0 AND name = 'site_key'"),
              1)
        << index;
  }
  for (const char* table : {"certificates", "mappings", "replay_cache", "authn_requests",
                            "audit_log", "sso_sessions", "sso_handoffs"}) {
    EXPECT_EQ(Scalar(std::string("SELECT COUNT(*) FROM pragma_table_info('") + table +
                     "') WHERE name = 'site_id' AND \"notnull\" = 1"),
              1)
        << table;
  }
  for (const char* index : {"authn_requests_browser", "authn_requests_site_expires_at",
                            "audit_log_fold", "audit_log_last_at"}) {
    EXPECT_EQ(Scalar(std::string("SELECT COUNT(*) FROM pragma_index_info('") + index +
                     "') WHERE seqno = 0 AND name = 'site_id'"),
              1)
        << index;
  }
  for (const char* table : {"certificates", "mappings", "replay_cache", "sso_sessions"}) {
    // The primary key (an automatic index) leads with site_id too.
    EXPECT_EQ(Scalar(std::string("SELECT COUNT(*) FROM pragma_index_list('") + table +
                     "') AS l, pragma_index_info(l.name) AS i WHERE l.origin = 'pk' AND "
                     "i.seqno = 0 AND i.name = 'site_id'"),
              1)
        << table;
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM pragma_index_list('authn_requests') AS l, "
                   "pragma_index_info(l.name) AS i WHERE l.origin = 'u' AND i.seqno = 0 AND "
                   "i.name = 'site_id'"),
            1);
}

// The queries of one site seek in an index that leads with site_id or its key
// (shapes as the repositories write them), so their cost does not grow with
// the number of sites sharing the database, in the index's order (History
// orders the rows of one second by transcript_id itself).
TEST_F(MigrationTest, QueriesOfOneSiteSeekInTheirIndex) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  const std::pair<const char*, const char*> cases[] = {
      {"SELECT t.transcript_id FROM transcript_tags t WHERE t.site_key = (SELECT site_key FROM "
       "site_keys WHERE site_id = ?7) AND t.customer_id = ?1 AND t.saved_at <= ?4 AND "
       "(t.saved_at, t.transcript_id) < (?4, ?5) ORDER BY t.saved_at DESC LIMIT ?6",
       "transcript_tags_customer (site_key=? AND customer_id=? AND saved_at<?)"},
      {"SELECT t.transcript_id FROM transcript_tags t WHERE t.site_key = (SELECT site_key FROM "
       "site_keys WHERE site_id = ?7) AND t.team_key = ?1 AND t.saved_at >= ?2 AND t.saved_at < ?3 "
       "ORDER BY t.saved_at DESC LIMIT ?6",
       "transcript_tags_saved_at (site_key=? AND saved_at>? AND saved_at<?)"},
      {"SELECT t.transcript_id FROM transcript_tags t WHERE t.site_key = (SELECT site_key FROM "
       "site_keys WHERE site_id = ?7) AND t.saved_at >= ?2 AND t.saved_at < ?3 ORDER BY "
       "t.saved_at DESC LIMIT ?6",
       "transcript_tags_saved_at (site_key=? AND saved_at>? AND saved_at<?)"},
      {"SELECT id FROM audit_log WHERE site_id = ?3 AND (?2 = '' OR kind = ?2) "
       "ORDER BY last_at DESC, id DESC LIMIT ?1",
       "audit_log_last_at (site_id=?)"},
      {"SELECT id FROM audit_log WHERE site_id = ?10 AND kind = ?2 AND code = ?3 AND "
       "remote_address = ?8 AND last_at >= ?9 ORDER BY last_at DESC LIMIT 1",
       "audit_log_fold (site_id=? AND kind=? AND code=? AND remote_address=?"},
      {"SELECT COUNT(*) FROM authn_requests WHERE site_id = ?2 AND expires_at >= ?1",
       "authn_requests_site_expires_at (site_id=?"},
      {"SELECT relay_state FROM authn_requests WHERE site_id = ?3 AND browser_hash = ?1 "
       "ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?2",
       "authn_requests_browser (site_id=? AND browser_hash=?)"},
  };
  for (const auto& [sql, expected] : cases) {
    auto plan = db->Read([&](Connection& c) -> Result<std::string> {
      auto q = c.Prepare(std::string("EXPLAIN QUERY PLAN ") + sql);
      if (!q) return std::move(q).error();
      std::string details;
      for (;;) {
        auto row = q->Step();
        if (!row) return std::move(row).error();
        if (!*row) return details;
        details += q->Text(3) + "\n";
      }
    });
    ASSERT_TRUE(plan) << plan.error().message;
    EXPECT_NE(plan->find(expected), std::string::npos) << sql << "\n" << *plan;
    EXPECT_EQ(plan->find("TEMP B-TREE"), std::string::npos) << sql << "\n" << *plan;
  }
}

}  // namespace
}  // namespace vsso::store
