#include "store/transcript_repository.hpp"

#include <algorithm>

#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

using TranscriptRepositoryTest = EngineTest;

TranscriptTag Tag(const std::string& id, const std::string& customer, const std::string& team,
                  UnixSeconds saved_at) {
  return TranscriptTag{
      id,   "chat-" + id, "visitor-" + id, customer, "https://idp.example.org", !customer.empty(),
      team, saved_at};
}

std::vector<std::string> Ids(const Page& page) {
  std::vector<std::string> ids;
  for (const auto& r : page.rows) ids.push_back(r.transcript_id);
  return ids;
}

TEST_P(TranscriptRepositoryTest, CustomerPagesNewestFirstAcrossThreePages) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  TranscriptRepository repo(db, "default");
  // t3/t4/t5 share a second: transcript_id DESC breaks the tie.
  for (const auto& t :
       {Tag("t1", "C-1", "gold", 100), Tag("t2", "C-1", "gold", 200), Tag("t3", "C-1", "gold", 300),
        Tag("t4", "C-1", "silver", 300), Tag("t5", "C-1", "gold", 300),
        Tag("t6", "C-1", "gold", 400), Tag("t7", "C-1", "gold", 500), Tag("x1", "C-2", "gold", 450),
        Tag("g1", "", "gold", 350)}) {
    ASSERT_TRUE(repo.Save(t));
  }
  auto p1 = repo.FindByCustomerId("C-1", 3, "");
  ASSERT_TRUE(p1) << p1.error().message;
  EXPECT_EQ(Ids(*p1), (std::vector<std::string>{"t7", "t6", "t5"}));
  ASSERT_FALSE(p1->next_cursor.empty());

  // Saved between page requests: newer than the cursor, so not on later pages.
  ASSERT_TRUE(repo.Save(Tag("t8", "C-1", "gold", 600)));

  auto p2 = repo.FindByCustomerId("C-1", 3, p1->next_cursor);
  ASSERT_TRUE(p2) << p2.error().message;
  EXPECT_EQ(Ids(*p2), (std::vector<std::string>{"t4", "t3", "t2"}));
  ASSERT_FALSE(p2->next_cursor.empty());

  auto p3 = repo.FindByCustomerId("C-1", 3, p2->next_cursor);
  ASSERT_TRUE(p3);
  EXPECT_EQ(Ids(*p3), (std::vector<std::string>{"t1"}));
  EXPECT_TRUE(p3->next_cursor.empty());

  // Full columns round-trip.
  EXPECT_EQ(p3->rows[0], Tag("t1", "C-1", "gold", 100));
}

TEST_P(TranscriptRepositoryTest, ExactMultipleOfPageSizeEndsWithoutCursor) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  TranscriptRepository repo(db, "default");
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(repo.Save(Tag("t" + std::to_string(i), "C", "gold", 100 + i)));
  }
  auto p1 = repo.FindByCustomerId("C", 2, "");
  ASSERT_TRUE(p1);
  auto p2 = repo.FindByCustomerId("C", 2, p1->next_cursor);
  ASSERT_TRUE(p2);
  EXPECT_EQ(Ids(*p2), (std::vector<std::string>{"t1", "t0"}));
  EXPECT_TRUE(p2->next_cursor.empty());
}

TEST_P(TranscriptRepositoryTest, SaveSameIdUpdates) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  TranscriptRepository repo(db, "default");
  ASSERT_TRUE(repo.Save(Tag("t1", "", "default", 100)));
  ASSERT_TRUE(repo.Save(Tag("t1", "C-9", "gold", 150)));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM transcript_tags"), 1);
  auto page = repo.FindByCustomerId("C-9", 10, "");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_TRUE(page->rows[0].signed_in);
  EXPECT_EQ(page->rows[0].team, "gold");
}

TEST_P(TranscriptRepositoryTest, ByTeamAndTimeRange) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  TranscriptRepository repo(db, "default");
  for (int i = 0; i < 6; ++i) {
    ASSERT_TRUE(repo.Save(Tag("g" + std::to_string(i), "C", "gold", 100 * (i + 1))));
    ASSERT_TRUE(repo.Save(Tag("s" + std::to_string(i), "C", "silver", 100 * (i + 1) + 50)));
  }
  auto gold = repo.FindByTeam("gold", 2, "", TimeRange{200, 500});  // 200, 300, 400
  ASSERT_TRUE(gold) << gold.error().message;
  EXPECT_EQ(Ids(*gold), (std::vector<std::string>{"g3", "g2"}));
  auto gold2 = repo.FindByTeam("gold", 2, gold->next_cursor, TimeRange{200, 500});
  ASSERT_TRUE(gold2);
  EXPECT_EQ(Ids(*gold2), (std::vector<std::string>{"g1"}));
  EXPECT_TRUE(gold2->next_cursor.empty());

  auto all_gold = repo.FindByTeam("gold", 100, "");
  ASSERT_TRUE(all_gold);
  EXPECT_EQ(all_gold->rows.size(), 6u);

  auto window = repo.FindBySavedAt(TimeRange{300, 451}, 10, "");  // 300,350,400,450
  ASSERT_TRUE(window);
  EXPECT_EQ(Ids(*window), (std::vector<std::string>{"s3", "g3", "s2", "g2"}));
}

// Many transcripts saved in the same second, across page boundaries: the
// order is transcript_id DESC within the second on every page.
TEST_P(TranscriptRepositoryTest, ManyInOneSecondPageInTranscriptIdOrder) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  TranscriptRepository repo(db, "default");
  std::vector<std::string> expected;
  ASSERT_TRUE(repo.Save(Tag("z-late", "C", "gold", 600)));
  expected.push_back("z-late");
  // Saved in an order unlike transcript_id's, so the rowid order differs.
  const std::vector<std::string> same = {"m3", "m9", "m1", "m7", "m5", "m8", "m2", "m6", "m4"};
  for (const auto& id : same) ASSERT_TRUE(repo.Save(Tag(id, "C", "gold", 500)));
  for (const char* id : {"m9", "m8", "m7", "m6", "m5", "m4", "m3", "m2", "m1"}) {
    expected.push_back(id);
  }
  ASSERT_TRUE(repo.Save(Tag("a-early", "C", "silver", 400)));
  expected.push_back("a-early");
  for (int limit : {1, 2, 3, 4, 10, 11, 12}) {
    for (char kind : {'c', 't', 'r'}) {
      std::vector<std::string> got;
      std::string cursor;
      for (int pages = 0; pages < 20; ++pages) {
        auto page = kind == 'c'   ? repo.FindByCustomerId("C", limit, cursor)
                    : kind == 't' ? repo.FindByTeam("gold", limit, cursor)
                                  : repo.FindBySavedAt({}, limit, cursor);
        ASSERT_TRUE(page) << page.error().message;
        ASSERT_LE(static_cast<int>(page->rows.size()), limit);
        for (auto& id : Ids(*page)) got.push_back(id);
        if (page->next_cursor.empty()) break;
        cursor = page->next_cursor;
      }
      std::vector<std::string> want = expected;
      if (kind == 't') want.pop_back();  // a-early is silver
      EXPECT_EQ(got, want) << "limit " << limit << " kind " << kind;
    }
  }
}

TEST_P(TranscriptRepositoryTest, BadCursorAndLimit) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  TranscriptRepository repo(db, "default");
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(repo.Save(Tag("t" + std::to_string(i), "C", "gold", 100 + i)));
  }
  auto garbage = repo.FindByCustomerId("C", 2, "not a cursor!");
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().code, "store.bad_cursor");

  auto team_page = repo.FindByTeam("gold", 1, "");
  ASSERT_TRUE(team_page);
  ASSERT_FALSE(team_page->next_cursor.empty());
  auto mixed = repo.FindByCustomerId("C", 2, team_page->next_cursor);
  ASSERT_FALSE(mixed);
  EXPECT_EQ(mixed.error().code, "store.bad_cursor");

  auto zero = repo.FindByCustomerId("C", 0, "");
  ASSERT_FALSE(zero);
  EXPECT_EQ(zero.error().code, "store.bad_limit");
}

// Rows of one page with several IdPs and teams (one customer signed in
// through two IdPs; several teams), on both reads of a page (the second
// re-reads the page's last second): each row gets its own values.
TEST_P(TranscriptRepositoryTest, PageOfSeveralIdpsAndTeamsResolvesEachRow) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  TranscriptRepository repo(db, "default");
  const std::vector<std::string> idps = {"https://idp-a.example.org", "https://idp-b.example.org"};
  const std::vector<std::string> teams = {"gold", "silver", "bronze"};
  std::vector<TranscriptTag> saved;
  for (int i = 0; i < 12; ++i) {
    TranscriptTag t = Tag("t" + std::to_string(10 + i), "C", teams[i % 3], 100 + i / 4);
    t.idp_entity_id = idps[(i / 2) % 2];
    saved.push_back(t);
  }
  // Another customer's values, keyed between them.
  ASSERT_TRUE(repo.Save(Tag("x1", "D", "platinum", 50)));
  ASSERT_TRUE(repo.SaveAll(saved));
  std::sort(saved.begin(), saved.end(), [](const TranscriptTag& a, const TranscriptTag& b) {
    return a.saved_at != b.saved_at ? a.saved_at > b.saved_at : a.transcript_id > b.transcript_id;
  });
  for (int limit : {3, 5, 12}) {  // 3 and 5: pages end inside a second (the re-read)
    std::vector<TranscriptTag> got;
    std::string cursor;
    for (int pages = 0; pages < 10; ++pages) {
      auto page = repo.FindByCustomerId("C", limit, cursor);
      ASSERT_TRUE(page) << page.error().message;
      got.insert(got.end(), page->rows.begin(), page->rows.end());
      if (page->next_cursor.empty()) break;
      cursor = page->next_cursor;
    }
    EXPECT_EQ(got, saved) << "limit " << limit;
  }
  auto silver = repo.FindByTeam("silver", 10, "");
  ASSERT_TRUE(silver);
  ASSERT_EQ(silver->rows.size(), 4u);
  for (const auto& r : silver->rows) EXPECT_EQ(r.team, "silver");
  auto other = repo.FindBySavedAt({}, 100, "");
  ASSERT_TRUE(other);
  ASSERT_EQ(other->rows.size(), 13u);
  EXPECT_EQ(other->rows.back(), Tag("x1", "D", "platinum", 50));
}

// A key whose value is gone (a damaged database) fails the page, naming
// the key, rather than showing a row without its IdP.
TEST_P(TranscriptRepositoryTest, MissingTagValueFailsNamingTheKey) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  TranscriptRepository repo(db, "default");
  ASSERT_TRUE(repo.Save(Tag("t1", "C", "gold", 100)));
  const long long key =
      Scalar("SELECT value_key FROM tag_values WHERE value = 'https://idp.example.org'");
  RawExec("DELETE FROM tag_values WHERE value_key = " + std::to_string(key));
  auto page = repo.FindByCustomerId("C", 10, "");
  ASSERT_FALSE(page);
  EXPECT_EQ(page.error().code, "store.query_failed");
  EXPECT_NE(page.error().message.find("key " + std::to_string(key) + " "), std::string::npos)
      << page.error().message;
}

VSSO_ON_BOTH_ENGINES(TranscriptRepositoryTest);

}  // namespace
}  // namespace vsso::store
