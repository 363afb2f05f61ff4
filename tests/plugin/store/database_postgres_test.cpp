// Database::Write on PostgreSQL (issue 15): no group commit there, each write
// runs at once on a connection of its own, its BEGIN pipelined with the
// body's first statement. The same Write semantics as SQLite's: one
// transaction per body, an error undoes that body alone, coded errors, the
// client's deadline on every call. Skipped without VSSO_TEST_POSTGRES_URI.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

using PostgresWriteTest = EngineTest;

// A one-shot signal between the two writers of a test.
class Flag {
 public:
  void Set() {
    {
      std::lock_guard lock(mutex_);
      set_ = true;
    }
    cv_.notify_all();
  }
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return cv_.wait_for(lock, timeout, [&] { return set_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool set_ = false;
};

Status Insert(Connection& c, std::int64_t id) {
  auto q = c.Prepare("INSERT INTO t (id) VALUES (?1)");
  if (!q) return std::move(q).error();
  q->BindInt(1, id);
  return q->Run();
}

class PostgresWrite : public PostgresWriteTest {
 protected:
  void SetUp() override {
    PostgresWriteTest::SetUp();
    if (IsSkipped()) return;
    db_ = OpenDb();
    ASSERT_TRUE(db_);
    RawExec("CREATE TABLE t (id BIGINT PRIMARY KEY)");
  }
  std::shared_ptr<Database> db_;
};

TEST_P(PostgresWrite, TwoThreadsWriteAtOnceAndBothCommit) {
  // A holds its transaction open until B's write has committed: with the
  // writes of one process queued behind each other (SQLite's group
  // commit), B would wait for A and A would give up after 5 s.
  Flag a_inserted;
  Flag b_committed;
  Status a = Ok();
  std::thread first([&] {
    a = db_->Write([&](Connection& c) -> Status {
      if (auto st = Insert(c, 1); !st) return st;
      a_inserted.Set();
      if (!b_committed.WaitFor(std::chrono::seconds(5))) {
        return MakeError("test.serialised", "the second write waited for the first");
      }
      return Ok();
    });
  });
  ASSERT_TRUE(a_inserted.WaitFor(std::chrono::seconds(10)));
  Status b = db_->Write([](Connection& c) { return Insert(c, 2); });
  b_committed.Set();
  first.join();
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_TRUE(a) << a.error().message;
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t"), 2);
  // A's row was invisible to others until A committed, after B.
  const auto stats = db_->stats();
  EXPECT_EQ(stats.transactions, stats.writes);
  EXPECT_EQ(stats.write_wait_ns, 0);
}

TEST_P(PostgresWrite, AFailedBodyRollsBackOnlyItsOwnTransaction) {
  Flag a_inserted;
  Flag b_committed;
  Status a = Ok();
  std::thread first([&] {
    a = db_->Write([&](Connection& c) -> Status {
      if (auto st = Insert(c, 1); !st) return st;
      a_inserted.Set();
      (void)b_committed.WaitFor(std::chrono::seconds(5));
      return MakeError("test.body_failed", "the body gave up after its insert");
    });
  });
  ASSERT_TRUE(a_inserted.WaitFor(std::chrono::seconds(10)));
  Status b = db_->Write([](Connection& c) { return Insert(c, 2); });
  b_committed.Set();
  first.join();
  ASSERT_TRUE(b) << b.error().message;
  ASSERT_FALSE(a);
  EXPECT_EQ(a.error().code, "test.body_failed");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t WHERE id = 1"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t WHERE id = 2"), 1);
  // The connection of the failed write was rolled back and is reused.
  ASSERT_TRUE(db_->Write([](Connection& c) { return Insert(c, 3); }));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t"), 2);
}

TEST_P(PostgresWrite, ABodyThatIgnoresAFailedStatementCommitsNothing) {
  ASSERT_TRUE(db_->Write([](Connection& c) { return Insert(c, 1); }));
  Status ignored = db_->Write([](Connection& c) -> Status {
    if (auto st = Insert(c, 2); !st) return st;
    (void)Insert(c, 1);  // duplicate key: the transaction is aborted
    return Ok();
  });
  ASSERT_FALSE(ignored);
  EXPECT_EQ(ignored.error().code, "store.query_failed") << ignored.error().message;
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t"), 1);
}

TEST_P(PostgresWrite, BodiesWithoutStatementsOrStartingWithASimpleQuery) {
  // Nothing sent: the value comes back, no transaction is counted.
  auto none = db_->Write([](Connection&) -> Result<int> { return 7; });
  ASSERT_TRUE(none);
  EXPECT_EQ(*none, 7);
  EXPECT_EQ(db_->stats().transactions, 0);
  // A simple-query string first (BEGIN goes alone before it): both of its
  // statements and the prepared one after it are one transaction.
  Status failed = db_->Write([](Connection& c) -> Status {
    if (auto st = c.Exec("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)", "test"); !st) {
      return st;
    }
    return Insert(c, 1);  // duplicate: the whole write is undone
  });
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "store.query_failed");
  EXPECT_NE(failed.error().message.find("duplicate key"), std::string::npos)
      << failed.error().message;
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t"), 0);
  ASSERT_TRUE(db_->Write([](Connection& c) -> Status {
    if (auto st = c.Exec("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)", "test"); !st) {
      return st;
    }
    return Insert(c, 3);
  }));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t"), 3);
}

TEST_P(PostgresWrite, AWriteStuckOnTheServerIsUnavailableWithinTheDeadline) {
  DatabaseOptions options;
  options.call_timeout = std::chrono::milliseconds(1000);
  auto bounded = Database::Open(target_, options);
  ASSERT_TRUE(bounded) << bounded.error().message;
  // Another session holds the table locked, so the write's pipelined
  // BEGIN + INSERT gets no answer, as from a stopped server.
  PGconn* holder = PQconnectdb(target_.c_str());
  ASSERT_EQ(PQstatus(holder), CONNECTION_OK) << PQerrorMessage(holder);
  PQclear(PQexec(holder, "BEGIN"));
  PGresult* locked = PQexec(holder, "LOCK TABLE t IN ACCESS EXCLUSIVE MODE");
  ASSERT_EQ(PQresultStatus(locked), PGRES_COMMAND_OK) << PQresultErrorMessage(locked);
  PQclear(locked);
  const auto started = std::chrono::steady_clock::now();
  Status stuck = (*bounded)->Write([](Connection& c) { return Insert(c, 1); });
  const auto took = std::chrono::steady_clock::now() - started;
  PQclear(PQexec(holder, "ROLLBACK"));
  PQfinish(holder);
  ASSERT_FALSE(stuck);
  // The client's deadline or the server's statement_timeout (both 1 s),
  // whichever comes first: the database is not answering in time.
  EXPECT_EQ(stuck.error().code, "store.unavailable") << stuck.error().message;
  EXPECT_LT(took, std::chrono::milliseconds(3000));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t"), 0);
  ASSERT_TRUE((*bounded)->Write([](Connection& c) { return Insert(c, 2); }));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t"), 1);
}

TEST_P(PostgresWrite, ASessionEndedMidWriteIsUnavailableAndCommitsNothing) {
  Status ended = db_->Write([&](Connection& c) -> Status {
    if (auto st = Insert(c, 1); !st) return st;
    auto pid = c.Prepare("SELECT pg_backend_pid()");
    if (!pid) return std::move(pid).error();
    if (auto row = pid->Step(); !row || !*row) return MakeError("test.no_pid", "no backend pid");
    // As a server shutdown does, between two statements of the write.
    PgScalar(TestPostgresUri(), "SELECT pg_terminate_backend(" + std::to_string(pid->Int(0)) + ")");
    return Insert(c, 2);
  });
  ASSERT_FALSE(ended);
  EXPECT_EQ(ended.error().code, "store.unavailable") << ended.error().message;
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t"), 0);
  // The lost connection was dropped; the next write gets a fresh one.
  ASSERT_TRUE(db_->Write([](Connection& c) { return Insert(c, 3); }));
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM t"), 1);
}

INSTANTIATE_TEST_SUITE_P(Engine, PostgresWrite, ::testing::Values(Engine::kPostgres), EngineName);

}  // namespace
}  // namespace vsso::store
