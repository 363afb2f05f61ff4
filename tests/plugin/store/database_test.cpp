#include "store/database.hpp"

#include <sys/stat.h>

#include <fstream>
#include <latch>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "plugin/store/store_fixture.hpp"
#include "store/migrations.hpp"

namespace vsso::store {
namespace {

using DatabaseTest = StoreTest;

TEST_F(DatabaseTest, FreshDatabaseGetsEveryMigration) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  EXPECT_EQ(Database::KnownSchemaVersion(), 8);
  EXPECT_EQ(db->SchemaVersion(), 8);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM schema_migrations"), 8);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM schema_migrations WHERE applied_at > 1600000000"), 8);
  for (const char* table : {"certificates", "mappings", "replay_cache", "authn_requests",
                            "audit_log", "sso_sessions", "transcript_tags", "sso_handoffs"}) {
    EXPECT_EQ(Scalar(std::string("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'table' AND "
                                 "name = '") +
                     table + "'"),
              1)
        << table;
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND name IN "
                   "('audit_log_last_at', 'transcript_tags_customer', 'transcript_tags_saved_at')"),
            3);
  // Migration 8: the replay cache has no index beyond its primary key (the
  // housekeeping purge scans it; a sign-in writes one page).
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sqlite_schema WHERE type = 'index' AND "
                   "tbl_name = 'replay_cache' AND sql IS NOT NULL"),
            0);
  // No table is left over from migration 5's copies.
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name LIKE '%_v5'"), 0);
  // WAL is a property of the file, visible to any connection.
  sqlite3* raw = nullptr;
  ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(raw, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
}

// Switching a new file to WAL is answered SQLITE_BUSY without the busy
// handler while another opener holds the lock; Open retries it, so nodes
// started together on a new file all open it.
TEST_F(DatabaseTest, NodesOpeningANewFileTogetherAllSwitchItToWal) {
  constexpr int kRounds = 20;
  constexpr int kOpeners = 6;
  for (int round = 0; round < kRounds; ++round) {
    const std::string path = (dir_ / ("together-" + std::to_string(round) + ".db")).string();
    std::vector<Result<std::shared_ptr<Database>>> opened(kOpeners, MakeError("unset", ""));
    std::latch start(kOpeners);
    std::vector<std::thread> threads;
    for (int i = 0; i < kOpeners; ++i) {
      threads.emplace_back([&, i] {
        start.arrive_and_wait();
        opened[static_cast<std::size_t>(i)] = Database::Open(path);
      });
    }
    for (auto& t : threads) t.join();
    for (const auto& db : opened) {
      ASSERT_TRUE(db) << "round " << round << ": " << db.error().code << ": " << db.error().message;
    }
  }
}

TEST_F(DatabaseTest, ConnectionSettings) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  auto settings = db->Read([](Connection& c) -> Result<std::vector<std::int64_t>> {
    std::vector<std::int64_t> out;
    for (const char* pragma :
         {"PRAGMA foreign_keys", "PRAGMA synchronous", "PRAGMA busy_timeout"}) {
      auto q = c.Prepare(pragma);
      if (!q) return std::move(q).error();
      auto row = q->Step();
      if (!row) return std::move(row).error();
      out.push_back(q->Int(0));
    }
    return out;
  });
  ASSERT_TRUE(settings) << settings.error().message;
  EXPECT_EQ((*settings)[0], 1);     // foreign_keys ON
  EXPECT_EQ((*settings)[1], 1);     // synchronous NORMAL
  EXPECT_EQ((*settings)[2], 5000);  // busy timeout in ms
}

TEST_F(DatabaseTest, ReopeningAppliesNothingTwice) {
  ASSERT_TRUE(OpenDb());
  auto again = OpenDb();
  ASSERT_TRUE(again);
  EXPECT_EQ(again->SchemaVersion(), 8);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM schema_migrations"), 8);
}

TEST_F(DatabaseTest, UpgradeFromVersionOneKeepsData) {
  // A database as an older build left it: only migration 1, recorded by hand.
  RawExec(Migrations()[0].sql);
  RawExec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at INTEGER NOT NULL);"
      "INSERT INTO schema_migrations VALUES (1, 'certificates and mappings', 1700000000);"
      "INSERT INTO certificates VALUES ('ab12', 'pem', 'CN=a', 'CN=a', 1, 2, 3, 'config', 1, "
      "NULL);"
      "INSERT INTO mappings VALUES (0, 'email', '[\"mail\"]');");

  auto db = OpenDb();
  ASSERT_TRUE(db);
  EXPECT_EQ(db->SchemaVersion(), 8);
  EXPECT_EQ(Scalar("SELECT applied_at FROM schema_migrations WHERE version = 1"), 1700000000);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM schema_migrations WHERE version IN (2, 3, 4, 5, 6, 7, 8)"),
            7);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM certificates WHERE fingerprint = 'ab12' AND "
                   "site_id = 'default'"),
            1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mappings WHERE field = 'email' AND site_id = 'default'"),
            1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'transcript_tags'"), 1);
}

TEST_F(DatabaseTest, RefusesSchemaFromNewerBuild) {
  ASSERT_TRUE(OpenDb());
  const std::string future = std::to_string(Database::KnownSchemaVersion() + 1);
  RawExec("INSERT INTO schema_migrations VALUES (" + future + ", 'from the future', 1900000000)");
  auto db = Database::Open(path_);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "store.schema_too_new");
  EXPECT_NE(db.error().message.find("version " + future), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find(path_), std::string::npos);
}

TEST_F(DatabaseTest, FailedMigrationRollsBackAndIsReported) {
  // A table in the way of migration 2 makes its CREATE fail; nothing of
  // migration 2 may remain and version 1 stays recorded.
  RawExec(Migrations()[0].sql);
  RawExec(
      "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
      "applied_at INTEGER NOT NULL);"
      "INSERT INTO schema_migrations VALUES (1, 'certificates and mappings', 1700000000);"
      "CREATE TABLE audit_log (something_else TEXT);");
  auto db = Database::Open(path_);
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "store.migration_failed");
  EXPECT_NE(db.error().message.find("migration 2"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("audit_log"), std::string::npos) << db.error().message;
  EXPECT_EQ(Scalar("SELECT MAX(version) FROM schema_migrations"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sqlite_schema WHERE name = 'replay_cache'"), 0);
}

TEST_F(DatabaseTest, OpenFailures) {
  auto missing_dir = Database::Open((dir_ / "no" / "such" / "dir.db").string());
  ASSERT_FALSE(missing_dir);
  EXPECT_EQ(missing_dir.error().code, "store.open_failed");
  EXPECT_NE(missing_dir.error().message.find("dir.db"), std::string::npos);

  const auto garbage = dir_ / "garbage.db";
  std::ofstream(garbage) << std::string(4096, 'x');
  auto not_db = Database::Open(garbage.string());
  ASSERT_FALSE(not_db);
  EXPECT_EQ(not_db.error().code, "store.open_failed");
  EXPECT_NE(not_db.error().message.find("not a database"), std::string::npos)
      << not_db.error().message;
}

TEST_F(DatabaseTest, WriteRollsBackOnError) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  Status st = db->Write([](Connection& c) -> Status {
    if (auto e = c.Exec("INSERT INTO audit_log (site_id, at, kind, code, message, issuer, "
                        "assertion_id, visitor_id, remote_address, count, last_at) "
                        "VALUES ('default', 1, 'k', 'c', 'm', 'i', 'a', 'v', '', 1, 1)",
                        "insert");
        !e) {
      return e;
    }
    return MakeError("test.abort", "abort after insert");
  });
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "test.abort");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log"), 0);
}

TEST_F(DatabaseTest, QueryErrorsNameSqliteAndPath) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  auto r = db->Read([](Connection& c) -> Result<bool> {
    auto q = c.Prepare("SELECT nope FROM certificates");
    if (!q) return std::move(q).error();
    return true;
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "store.query_failed");
  EXPECT_NE(r.error().message.find("no such column: nope"), std::string::npos);
  EXPECT_NE(r.error().message.find(path_), std::string::npos);
}

TEST_F(DatabaseTest, SameStatementTextNestedGetsItsOwnStatement) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  auto pairs = db->Read([](Connection& c) -> Result<std::vector<std::int64_t>> {
    constexpr const char* kSql = "SELECT value FROM json_each('[1,2]')";
    auto outer = c.Prepare(kSql);
    if (!outer) return std::move(outer).error();
    std::vector<std::int64_t> out;
    for (;;) {
      auto row = outer->Step();
      if (!row) return std::move(row).error();
      if (!*row) return out;
      auto inner = c.Prepare(kSql);  // while outer is mid-iteration
      if (!inner) return std::move(inner).error();
      for (;;) {
        auto inner_row = inner->Step();
        if (!inner_row) return std::move(inner_row).error();
        if (!*inner_row) break;
        out.push_back(outer->Int(0) * 10 + inner->Int(0));
      }
    }
  });
  ASSERT_TRUE(pairs) << pairs.error().message;
  EXPECT_EQ(*pairs, (std::vector<std::int64_t>{11, 12, 21, 22}));
}

// BindTextInPlace takes only what outlives the statement: a temporary (or
// anything that converts to one) does not compile.
template <class T>
concept BindableInPlace = requires(Statement& q, T&& value) {
  q.BindTextInPlace(1, std::forward<T>(value));
};
static_assert(BindableInPlace<const std::string&>);
static_assert(BindableInPlace<std::string&>);
static_assert(!BindableInPlace<std::string>);
static_assert(!BindableInPlace<const char*>);
static_assert(!BindableInPlace<std::string_view>);

// Text bound in place is read where it is; the cached statement forgets it
// when the use ends, so its next use never reads the caller's old buffer.
TEST_F(DatabaseTest, TextBoundInPlaceIsReadThenForgotten) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  constexpr const char* kSql = "SELECT ?1, ?2";
  const std::string visitor = "visitor-\xc3\xa9-0123456789abcdef";  // longer than SSO
  const std::string site = "site-a";
  auto bound = db->Read([&](Connection& c) -> Result<std::vector<std::string>> {
    auto q = c.Prepare(kSql);
    if (!q) return std::move(q).error();
    q->BindTextInPlace(1, visitor).BindTextInPlace(2, site);
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) return std::vector<std::string>{};
    return std::vector<std::string>{q->Text(0), q->Text(1)};
  });
  ASSERT_TRUE(bound) << bound.error().message;
  EXPECT_EQ(*bound, (std::vector<std::string>{visitor, site}));

  auto next_use = db->Read([&](Connection& c) -> Result<std::vector<bool>> {
    auto q = c.Prepare(kSql);  // the same cached statement, nothing bound
    if (!q) return std::move(q).error();
    auto row = q->Step();
    if (!row) return std::move(row).error();
    if (!*row) return std::vector<bool>{};
    return std::vector<bool>{q->IsNull(0), q->IsNull(1)};
  });
  ASSERT_TRUE(next_use) << next_use.error().message;
  EXPECT_EQ(*next_use, (std::vector<bool>{true, true}));
}

// Sessions, customer IDs and the audit log are nobody else's business.
TEST_F(DatabaseTest, NewDatabaseAndItsWalAndShmAreOwnerOnly) {
  // The usual umask, which would leave a file SQLite creates 0644.
  const mode_t saved_umask = ::umask(022);
  auto db = OpenDb();
  ::umask(saved_umask);
  ASSERT_TRUE(db);
  // A write so that the -wal file certainly exists while the connection is open.
  RawExec("CREATE TABLE mode_probe (x INTEGER)");
  for (const std::string suffix : {"", "-wal", "-shm"}) {
    struct stat st {};
    ASSERT_EQ(::stat((path_ + suffix).c_str(), &st), 0) << path_ + suffix;
    EXPECT_EQ(st.st_mode & 07777, 0600u) << path_ + suffix;
  }
}

TEST_F(DatabaseTest, AnExistingDatabaseKeepsTheModeItsOwnerChose) {
  { std::ofstream touch(path_); }
  ASSERT_EQ(::chmod(path_.c_str(), 0640), 0);
  auto db = OpenDb();
  ASSERT_TRUE(db);
  struct stat st {};
  ASSERT_EQ(::stat(path_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
}

}  // namespace
}  // namespace vsso::store
