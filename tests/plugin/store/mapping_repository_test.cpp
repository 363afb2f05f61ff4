#include "store/mapping_repository.hpp"

#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

using MappingRepositoryTest = EngineTest;

TEST_P(MappingRepositoryTest, SyncReportsChangesOnlyWhenThereAreSome) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  MappingRepository repo(db, "default");
  const std::vector<MappingRow> rows = {
      {0, "name", {"displayName", "cn"}},
      {1, "email", {"mail"}},
      // Quotes, backslashes and control characters survive the JSON column.
      {2, "prechat:Account \"No\"", {"urn:oid:1.2\\3", "tab\there"}},
      {3, "variable:empty", {}},
  };
  auto first = repo.Sync(rows);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(*first);
  auto listed = repo.List();
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(*listed, rows);

  auto second = repo.Sync(rows);
  ASSERT_TRUE(second);
  EXPECT_FALSE(*second);

  auto changed_rows = rows;
  changed_rows[1].attributes.push_back("email");
  auto third = repo.Sync(changed_rows);
  ASSERT_TRUE(third);
  EXPECT_TRUE(*third);
  auto relisted = repo.List();
  ASSERT_TRUE(relisted);
  EXPECT_EQ(*relisted, changed_rows);

  auto emptied = repo.Sync({});
  ASSERT_TRUE(emptied);
  EXPECT_TRUE(*emptied);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mappings"), 0);
}

TEST_P(MappingRepositoryTest, DuplicateFieldIsRefused) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  MappingRepository repo(db, "default");
  auto r = repo.Sync({{0, "email", {"mail"}}, {1, "email", {"email"}}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "store.bad_mapping");
}

VSSO_ON_BOTH_ENGINES(MappingRepositoryTest);

}  // namespace
}  // namespace vsso::store
