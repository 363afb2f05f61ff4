// Migration 7 (issue 15) on both engines: transcript tags written under
// migration 6's schema (site_id, IdP entity ID and team as text in every
// row) are moved to the keyed table. History must answer exactly as before,
// page by page, and a cursor handed out before the upgrade must continue
// where it left off; nothing is lost, nothing crosses to another site.
#include <string>
#include <vector>

#include "common/encoding.hpp"
#include "plugin/store/store_fixture.hpp"
#include "store/migrations.hpp"
#include "store/transcript_repository.hpp"

namespace vsso::store {
namespace {

class TranscriptMigrationTest : public EngineTest {
 protected:
  // A version 6 database as the previous build left it: migrations 1 to 6
  // in this engine's dialect, recorded in schema_migrations, and tags of two
  // sites (the same transcript ID on both), ties on saved_at and a guest.
  void WriteVersionSix() {
    const bool pg = GetParam() == Engine::kPostgres;
    std::string sql = pg ? "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY, name TEXT "
                           "NOT NULL, applied_at BIGINT NOT NULL);"
                         : "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name "
                           "TEXT NOT NULL, applied_at INTEGER NOT NULL);";
    for (const Migration& m : Migrations()) {
      if (m.version > 6) break;
      sql += pg ? m.postgres_sql : m.sql;
      sql += "INSERT INTO schema_migrations VALUES (" + std::to_string(m.version) + ", '" + m.name +
             "', 1700000000);";
    }
    sql +=
        "INSERT INTO transcript_tags (site_id, transcript_id, chat_id, visitor_id, customer_id, "
        "idp_entity_id, signed_in, team, saved_at) VALUES "
        "('default', 't1', 'chat-t1', 'v-t1', 'C-1', 'https://idp-a', 1, 'gold', 100),"
        "('default', 't2', 'chat-t2', 'v-t2', 'C-1', 'https://idp-a', 1, 'gold', 200),"
        "('default', 't3', 'chat-t3', 'v-t3', 'C-1', 'https://idp-b', 1, 'gold', 300),"
        "('default', 't4', 'chat-t4', 'v-t4', 'C-1', 'https://idp-a', 1, 'silver', 300),"
        "('default', 't5', 'chat-t5', 'v-t5', 'C-1', 'https://idp-a', 1, 'gold', 300),"
        "('default', 't6', 'chat-t6', 'v-t6', 'C-2', 'https://idp-b', 1, 'silver', 250),"
        "('default', 'g1', 'chat-g1', 'v-g1', '', '', 0, 'gold', 300),"
        "('site-b', 't1', 'chat-b1', 'v-b1', 'C-1', 'https://idp-a', 1, 'gold', 400),"
        "('site-b', 'b2', 'chat-b2', 'v-b2', 'C-9', 'https://idp-c', 1, 'bronze', 150);";
    RawExec(sql);
    ASSERT_EQ(Scalar("SELECT COUNT(*) FROM transcript_tags"), 9);
  }
};

std::vector<std::string> Ids(const Page& page) {
  std::vector<std::string> ids;
  for (const auto& r : page.rows) ids.push_back(r.transcript_id);
  return ids;
}

// Every page of a query, two rows at a time, following the cursors.
template <class Query>
std::vector<std::string> AllPages(Query query) {
  std::vector<std::string> ids;
  std::string cursor;
  for (int pages = 0; pages < 20; ++pages) {
    auto page = query(cursor);
    if (!page) {
      ADD_FAILURE() << page.error().code << ": " << page.error().message;
      break;
    }
    EXPECT_LE(page->rows.size(), 2u);
    for (auto& id : Ids(*page)) ids.push_back(id);
    if (page->next_cursor.empty()) break;
    cursor = page->next_cursor;
  }
  return ids;
}

// A cursor as migration 6's build encoded it (the format is unchanged).
std::string OldCursor(const std::string& text) { return encoding::Base64Encode(text); }

TEST_P(TranscriptMigrationTest, VersionSixTagsAnswerAsBeforeWithTheirCursors) {
  WriteVersionSix();
  auto db = OpenDb();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->SchemaVersion(), Database::KnownSchemaVersion());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM transcript_tags"), 9);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM site_keys"), 2);
  // IdPs a, b, c and '' (the guest's), teams gold, silver, bronze.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM tag_values"), 7);

  TranscriptRepository repo(db, "default");
  // Ties at 300 are broken by transcript_id DESC, as before.
  EXPECT_EQ(AllPages([&](const std::string& c) { return repo.FindByCustomerId("C-1", 2, c); }),
            (std::vector<std::string>{"t5", "t4", "t3", "t2", "t1"}));
  EXPECT_EQ(AllPages([&](const std::string& c) { return repo.FindByTeam("gold", 2, c); }),
            (std::vector<std::string>{"t5", "t3", "g1", "t2", "t1"}));
  EXPECT_EQ(AllPages([&](const std::string& c) { return repo.FindByTeam("silver", 2, c); }),
            (std::vector<std::string>{"t4", "t6"}));
  EXPECT_EQ(AllPages([&](const std::string& c) {
              return repo.FindBySavedAt(TimeRange{200, 301}, 2, c);
            }),
            (std::vector<std::string>{"t5", "t4", "t3", "g1", "t6", "t2"}));

  // Cursors given out before the upgrade continue right after their row.
  auto after_t4 = repo.FindByCustomerId("C-1", 2, OldCursor("c|300|t4"));
  ASSERT_TRUE(after_t4) << after_t4.error().message;
  EXPECT_EQ(Ids(*after_t4), (std::vector<std::string>{"t3", "t2"}));
  auto after_t3 = repo.FindBySavedAt(TimeRange{200, 301}, 10, OldCursor("r|300|t3"));
  ASSERT_TRUE(after_t3) << after_t3.error().message;
  EXPECT_EQ(Ids(*after_t3), (std::vector<std::string>{"g1", "t6", "t2"}));
  auto team_after = repo.FindByTeam("gold", 10, OldCursor("t|300|g1"));
  ASSERT_TRUE(team_after) << team_after.error().message;
  EXPECT_EQ(Ids(*team_after), (std::vector<std::string>{"t2", "t1"}));

  // Whole rows come back, the guest's empty values included.
  auto window = repo.FindBySavedAt(TimeRange{300, 301}, 10, "");
  ASSERT_TRUE(window);
  ASSERT_EQ(window->rows.size(), 4u);
  EXPECT_EQ(window->rows[1],
            (TranscriptTag{"t4", "chat-t4", "v-t4", "C-1", "https://idp-a", true, "silver", 300}));
  EXPECT_EQ(window->rows[3], (TranscriptTag{"g1", "chat-g1", "v-g1", "", "", false, "gold", 300}));

  // Each site sees its own rows only, the shared transcript ID included.
  TranscriptRepository b(db, "site-b");
  auto b_customer = b.FindByCustomerId("C-1", 10, "");
  ASSERT_TRUE(b_customer);
  ASSERT_EQ(b_customer->rows.size(), 1u);
  EXPECT_EQ(b_customer->rows[0],
            (TranscriptTag{"t1", "chat-b1", "v-b1", "C-1", "https://idp-a", true, "gold", 400}));
  EXPECT_EQ(Ids(*b.FindByTeam("bronze", 10, "")), (std::vector<std::string>{"b2"}));
  EXPECT_TRUE(repo.FindByCustomerId("C-9", 10, "")->rows.empty());
  EXPECT_TRUE(repo.FindByTeam("bronze", 10, "")->rows.empty());
  EXPECT_TRUE(TranscriptRepository(db, "other").FindBySavedAt({}, 10, "")->rows.empty());

  // Writing goes on: a moved tag is replaced in place, a new site and a new
  // team get their keys on first use.
  ASSERT_TRUE(repo.Save({"t1", "chat-t1", "v-t1", "C-1", "https://idp-a", true, "platinum", 500}));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM transcript_tags"), 9);
  EXPECT_EQ(Ids(*repo.FindByCustomerId("C-1", 1, "")), (std::vector<std::string>{"t1"}));
  EXPECT_EQ(Ids(*repo.FindByTeam("platinum", 10, "")), (std::vector<std::string>{"t1"}));
  TranscriptRepository c(db, "site-c");
  ASSERT_TRUE(c.Save({"c1", "chat-c1", "v-c1", "C-1", "https://idp-a", true, "gold", 600}));
  EXPECT_EQ(Ids(*c.FindByCustomerId("C-1", 10, "")), (std::vector<std::string>{"c1"}));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM site_keys"), 3);
  EXPECT_EQ(Ids(*repo.FindByCustomerId("C-1", 10, "")),
            (std::vector<std::string>{"t1", "t5", "t4", "t3", "t2"}));
}

// The keyed shape on a fresh database: keys are made once per text, however
// many tags use them, and SaveAll commits all of its tags or none.
TEST_P(TranscriptMigrationTest, KeysAreMadeOncePerTextAndSaveAllIsAllOrNothing) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  TranscriptRepository repo(db, "default");
  std::vector<TranscriptTag> tags;
  for (int i = 0; i < 50; ++i) {
    const std::string n = std::to_string(i);
    tags.push_back({"t" + n, "chat-" + n, "v-" + n, "C-" + std::to_string(i % 5),
                    "https://idp.example.org", true, "Team " + std::to_string(i % 3), 1000 + i});
  }
  ASSERT_TRUE(repo.SaveAll(tags));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM transcript_tags"), 50);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM site_keys"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM tag_values"), 4);
  EXPECT_EQ(Ids(*repo.FindByCustomerId("C-4", 3, "")),
            (std::vector<std::string>{"t49", "t44", "t39"}));

  // The same IDs again update in place.
  std::vector<TranscriptTag> again = tags;
  for (auto& t : again) t.team = "Team X";
  ASSERT_TRUE(repo.SaveAll(again));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM transcript_tags"), 50);
  EXPECT_EQ(repo.FindByTeam("Team X", 1000, "")->rows.size(), 50u);
  EXPECT_TRUE(repo.FindByTeam("Team 1", 1000, "")->rows.empty());

  // A batch whose last tag the database refuses (a trigger stands in for a
  // failing disk or server) leaves nothing behind, not even the new keys.
  if (GetParam() == Engine::kPostgres) {
    RawExec(
        "CREATE FUNCTION refuse_bad() RETURNS trigger AS $$ BEGIN IF NEW.transcript_id = 'bad' "
        "THEN RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql;"
        "CREATE TRIGGER refuse_bad BEFORE INSERT ON transcript_tags FOR EACH ROW EXECUTE "
        "FUNCTION refuse_bad();");
  } else {
    RawExec(
        "CREATE TRIGGER refuse_bad BEFORE INSERT ON transcript_tags WHEN NEW.transcript_id = "
        "'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END;");
  }
  TranscriptRepository other(db, "site-new");
  const std::vector<TranscriptTag> batch = {
      {"n1", "chat-n1", "v-n1", "C-1", "https://new-idp", true, "New Team", 2000},
      {"bad", "chat-bad", "v-bad", "C-1", "https://new-idp", true, "New Team", 2001}};
  EXPECT_FALSE(other.SaveAll(batch));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM transcript_tags"), 50);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM site_keys"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM tag_values"), 5);
  EXPECT_TRUE(other.FindByCustomerId("C-1", 10, "")->rows.empty());
}

VSSO_ON_BOTH_ENGINES(TranscriptMigrationTest);

}  // namespace
}  // namespace vsso::store
