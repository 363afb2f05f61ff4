// The Database's concurrency machinery (issue 15): a connection per reader,
// writes of several threads committed in groups with a savepoint each,
// deferred writes (batched audit records) and checkpoints on the Database's
// own thread. Everything runs against a real SQLite file.
#include <atomic>
#include <chrono>
#include <future>
#include <latch>
#include <thread>
#include <vector>

#include "plugin/store/store_fixture.hpp"
#include "store/audit_log.hpp"

namespace vsso::store {
namespace {

using ConcurrencyTest = StoreTest;
using namespace std::chrono_literals;

Status InsertMapping(Connection& c, int position, const std::string& field) {
  auto q = c.Prepare(
      "INSERT INTO mappings (site_id, position, field, attributes) "
      "VALUES ('default', ?1, ?2, '[]')");
  if (!q) return std::move(q).error();
  q->BindInt(1, position).BindText(2, field);
  return q->Run();
}

// Waits (up to 10 s) until `done` holds.
template <class F>
bool Eventually(F done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

TEST_F(ConcurrencyTest, ReadersDoNotWaitForAWriteInProgress) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  std::promise<void> release;
  std::latch inside(1);
  auto writer = std::async(std::launch::async, [&] {
    return db->Write([&](Connection& c) -> Status {
      if (auto st = InsertMapping(c, 0, "email"); !st) return st;
      inside.count_down();
      release.get_future().wait();  // the transaction stays open meanwhile
      return Ok();
    });
  });
  inside.wait();
  // On a connection of its own, the read neither blocks nor sees the
  // uncommitted row.
  auto reader = std::async(std::launch::async, [&] {
    return db->Read([](Connection& c) -> Result<std::int64_t> {
      auto q = c.Prepare("SELECT COUNT(*) FROM mappings");
      if (!q) return std::move(q).error();
      auto row = q->Step();
      if (!row) return std::move(row).error();
      return q->Int(0);
    });
  });
  ASSERT_EQ(reader.wait_for(5s), std::future_status::ready) << "the read waited for the writer";
  auto count = reader.get();
  ASSERT_TRUE(count) << count.error().message;
  EXPECT_EQ(*count, 0);
  release.set_value();
  ASSERT_TRUE(writer.get());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mappings"), 1);
}

// Writes that queue behind a running transaction are committed together;
// one that fails is undone alone (its savepoint), the others stand.
TEST_F(ConcurrencyTest, QueuedWritesShareOneTransactionAndFailAlone) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  const Database::Stats before = db->stats();
  std::promise<void> release;
  std::latch inside(1);
  auto first = std::async(std::launch::async, [&] {
    return db->Write([&](Connection& c) -> Status {
      if (auto st = InsertMapping(c, 0, "first"); !st) return st;
      inside.count_down();
      release.get_future().wait();
      return Ok();
    });
  });
  inside.wait();
  std::vector<std::future<Status>> queued;
  for (int i = 1; i <= 3; ++i) {
    queued.push_back(std::async(std::launch::async, [&db, i] {
      return db->Write([i](Connection& c) -> Status {
        if (auto st = InsertMapping(c, i, "queued" + std::to_string(i)); !st) return st;
        if (i == 2) return MakeError("test.refused", "the second queued write fails");
        return Ok();
      });
    }));
  }
  // All three are waiting for the first transaction.
  ASSERT_TRUE(Eventually([&] { return db->stats().writes - before.writes == 4; }));
  release.set_value();
  ASSERT_TRUE(first.get());
  EXPECT_TRUE(queued[0].get());
  const Status failed = queued[1].get();
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, "test.refused");
  EXPECT_TRUE(queued[2].get());

  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mappings"), 3);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mappings WHERE field = 'queued2'"), 0);
  EXPECT_EQ(db->stats().transactions - before.transactions, 2);
}

TEST_F(ConcurrencyTest, AnExceptionInAGroupedWriteIsAnErrorOfThatWriteOnly) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  std::promise<void> release;
  std::latch inside(1);
  const Database::Stats before = db->stats();
  auto first = std::async(std::launch::async, [&] {
    return db->Write([&](Connection&) -> Status {
      inside.count_down();
      release.get_future().wait();
      return Ok();
    });
  });
  inside.wait();
  auto throwing = std::async(std::launch::async, [&] {
    return db->Write([](Connection& c) -> Status {
      if (auto st = InsertMapping(c, 1, "thrower"); !st) return st;
      throw std::runtime_error("boom");
    });
  });
  auto fine = std::async(std::launch::async, [&] {
    return db->Write([](Connection& c) { return InsertMapping(c, 2, "fine"); });
  });
  ASSERT_TRUE(Eventually([&] { return db->stats().writes - before.writes == 3; }));
  release.set_value();
  ASSERT_TRUE(first.get());
  const Status thrown = throwing.get();
  ASSERT_FALSE(thrown);
  EXPECT_EQ(thrown.error().code, "store.query_failed");
  EXPECT_NE(thrown.error().message.find("boom"), std::string::npos) << thrown.error().message;
  EXPECT_TRUE(fine.get());
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mappings WHERE field = 'thrower'"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM mappings WHERE field = 'fine'"), 1);
}

AuditEvent Accepted(const std::string& visitor) {
  AuditEvent e;
  e.at = 1000;
  e.kind = "sign_in_accepted";
  e.code = "ok";
  e.message = "customer c signed in";
  e.visitor_id = visitor;
  return e;
}

TEST_F(ConcurrencyTest, BatchedAuditRecordsAreCommittedWithinTheInterval) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  AuditLog(db, "default").RecordBatched(Accepted("v1"));
  AuditLog(db, "default").RecordBatched(Accepted("v2"));
  // Another connection sees them once the Database's thread has committed
  // the batch: within kDeferredMilliseconds (generously bounded here).
  const auto queued = std::chrono::steady_clock::now();
  ASSERT_TRUE(Eventually([&] { return Scalar("SELECT COUNT(*) FROM audit_log") == 2; }));
  EXPECT_LT(std::chrono::steady_clock::now() - queued, 5s);
  EXPECT_GE(db->stats().batches, 1);
}

TEST_F(ConcurrencyTest, BatchedAuditRecordsAreReadBackAndCommittedAtClose) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  {
    AuditLog log(db, "default");
    log.RecordBatched(Accepted("v1"));
    // This process reads what it wrote, at once.
    auto latest = log.Latest(10, "sign_in_accepted");
    ASSERT_TRUE(latest) << latest.error().message;
    ASSERT_EQ(latest->size(), 1u);
    EXPECT_EQ((*latest)[0].visitor_id, "v1");
    // Queued and never read: committed when the Database closes.
    log.RecordBatched(Accepted("v2"));
  }
  db.reset();
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM audit_log WHERE visitor_id = 'v2'"), 1);
}

TEST_F(ConcurrencyTest, TheDatabasesThreadCheckpointsTheWal) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  // Enough pages for kCheckpointFrames: every row is in a page of its own.
  const std::string wide(3000, 'x');
  for (int i = 0; i < Database::kCheckpointFrames / 2 + 10; ++i) {
    ASSERT_TRUE(db->Write([&](Connection& c) -> Status {
      auto q = c.Prepare(
          "INSERT INTO mappings (site_id, position, field, attributes) "
          "VALUES ('default', ?1, ?2, ?3)");
      if (!q) return std::move(q).error();
      q->BindInt(1, i).BindText(2, "f" + std::to_string(i)).BindText(3, wide);
      return q->Run();
    }));
  }
  EXPECT_TRUE(Eventually([&] { return db->stats().checkpoints >= 1; }));
}

}  // namespace
}  // namespace vsso::store
