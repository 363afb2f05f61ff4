// Migration 9 (issue 15) on both engines: sessions written under migration
// 8's schema, keyed (site_id, visitor_id), move to the key (visitor_id,
// site_id). Every column of every row survives, each site still sees only its
// own sessions (the same visitor ID on two sites included), and writing goes
// on: a new sign-in replaces the session in place, sign-out, single logout
// and the purge find their rows.
#include <string>
#include <vector>

#include "plugin/store/store_fixture.hpp"
#include "store/migrations.hpp"
#include "store/session_repository.hpp"

namespace vsso::store {
namespace {

constexpr UnixSeconds kNow = 1750000000;

SsoSession Session(const std::string& visitor, const std::string& customer,
                   const std::string& name_id, UnixSeconds expires_at) {
  SsoSession s;
  s.visitor_id = visitor;
  s.customer_id = customer;
  s.name_id = name_id;
  s.name_id_format = "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress";
  s.session_index = "_index-" + visitor;
  s.idp_entity_id = "https://idp.example.org";
  s.signed_in_at = kNow - 60;
  s.expires_at = expires_at;
  s.fields_json = R"([{"key":"company","values":["Example"]}])";
  s.attributes_json = R"({"mail":["x@example.org"]})";
  s.name_qualifier = "https://idp.example.org";
  s.sp_name_qualifier = "https://sp.example.org";
  return s;
}

class SessionMigrationTest : public EngineTest {
 protected:
  // A version 8 database as the previous build left it: migrations 1 to 8
  // in this engine's dialect, recorded in schema_migrations, with sessions
  // of two sites (visitor v1 signed in on both, as different customers)
  // and one that has expired.
  void WriteVersionEight() {
    const bool pg = GetParam() == Engine::kPostgres;
    std::string sql = pg ? "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT "
                           "NOT NULL, applied_at BIGINT NOT NULL);"
                         : "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name "
                           "TEXT NOT NULL, applied_at INTEGER NOT NULL);";
    for (const Migration& m : Migrations()) {
      if (m.version > 8) break;
      sql += pg ? m.postgres_sql : m.sql;
      sql += "INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" + m.name +
             "', 1700000000);";
    }
    const auto row = [](const std::string& site, const SsoSession& s) {
      return "('" + site + "', '" + s.visitor_id + "', '" + s.customer_id + "', '" + s.name_id +
             "', '" + s.name_id_format + "', '" + s.session_index + "', '" + s.idp_entity_id +
             "', " + std::to_string(s.signed_in_at) + ", " + std::to_string(s.expires_at) + ", '" +
             s.fields_json + "', '" + s.attributes_json + "', '" + s.name_qualifier + "', '" +
             s.sp_name_qualifier + "')";
    };
    sql +=
        "INSERT INTO sso_sessions (site_id, visitor_id, customer_id, name_id, name_id_format, "
        "session_index, idp_entity_id, signed_in_at, expires_at, fields_json, attributes_json, "
        "name_qualifier, sp_name_qualifier) VALUES " +
        row("default", Session("v1", "C-1", "alice@example.org", kNow + 3600)) + "," +
        row("default", Session("v2", "C-2", "bob@example.org", kNow + 3600)) + "," +
        row("default", Session("v3", "C-3", "carol@example.org", kNow - 1)) + "," +
        row("site-b", Session("v1", "B-7", "alice@example.org", kNow + 7200)) + ";";
    RawExec(sql);
    ASSERT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions"), 4);
  }

  // 1 when the primary key of sso_sessions is exactly (visitor_id, site_id).
  long long KeyIsVisitorThenSite() {
    if (GetParam() == Engine::kPostgres) {
      return Scalar(
          "SELECT COUNT(*) FROM pg_index i WHERE i.indrelid = 'sso_sessions'::regclass AND "
          "i.indisprimary AND i.indnatts = 2 AND "
          "(SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = i.indkey[0]) "
          "= 'visitor_id' AND "
          "(SELECT attname FROM pg_attribute WHERE attrelid = i.indrelid AND attnum = i.indkey[1]) "
          "= 'site_id'");
    }
    return Scalar(
        "SELECT COUNT(*) FROM pragma_index_list('sso_sessions') AS l WHERE l.origin = 'pk' AND "
        "(SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_index_info(l.name) "
        "ORDER BY seqno)) = 'visitor_id,site_id'");
  }
};

TEST_P(SessionMigrationTest, VersionEightSessionsKeepEveryColumnAndTheirSite) {
  WriteVersionEight();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->SchemaVersion(), Database::KnownSchemaVersion());
  EXPECT_EQ(Scalar("SELECT applied_at FROM schema_migrations WHERE version = 8"), 1700000000);
  EXPECT_EQ(KeyIsVisitorThenSite(), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions"), 4);

  SessionRepository site_a(db, "default");
  SessionRepository site_b(db, "site-b");
  auto a1 = site_a.FindLive("v1", kNow);
  ASSERT_TRUE(a1) << a1.error().message;
  ASSERT_TRUE(*a1);
  EXPECT_EQ(**a1, Session("v1", "C-1", "alice@example.org", kNow + 3600));
  auto b1 = site_b.FindLive("v1", kNow);
  ASSERT_TRUE(b1) << b1.error().message;
  ASSERT_TRUE(*b1);
  EXPECT_EQ(**b1, Session("v1", "B-7", "alice@example.org", kNow + 7200));
  auto identity = site_b.FindLiveIdentity("v1", kNow);
  ASSERT_TRUE(identity && *identity);
  EXPECT_EQ((*identity)->customer_id, "B-7");
  // Another site's visitor and an expired session stay out of sight.
  EXPECT_FALSE(*site_b.FindLive("v2", kNow));
  EXPECT_FALSE(*site_a.FindLive("v3", kNow));

  // A new sign-in replaces the session in place (the upsert's conflict
  // target is the new key), on its site only.
  ASSERT_TRUE(site_a.Upsert(Session("v1", "C-1b", "alice@example.org", kNow + 9000)));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions"), 4);
  EXPECT_EQ((*site_a.FindLive("v1", kNow))->customer_id, "C-1b");
  EXPECT_EQ((*site_b.FindLive("v1", kNow))->customer_id, "B-7");

  // Single logout by NameID ends this site's session of it, not site-b's.
  auto ended = site_a.EndByNameId("https://idp.example.org", "alice@example.org", {});
  ASSERT_TRUE(ended) << ended.error().message;
  EXPECT_EQ(*ended, std::vector<std::string>{"v1"});
  EXPECT_TRUE(*site_b.FindLive("v1", kNow));

  // Sign-out, then the purge of what expired.
  auto deleted = site_a.Delete("v2");
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  auto purged = SessionRepository::PurgeExpiredAllSites(*db, kNow);
  ASSERT_TRUE(purged) << purged.error().message;
  EXPECT_EQ(*purged, 1);  // v3
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions"), 1);
}

TEST_P(SessionMigrationTest, ANewDatabaseHasTheSameKey) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  EXPECT_EQ(KeyIsVisitorThenSite(), 1);
}

VSSO_ON_BOTH_ENGINES(SessionMigrationTest);

}  // namespace
}  // namespace vsso::store
