// The WAL under a continuous stream of writes (issue 15): commits that follow
// each other without a pause (`visitor-sso-admin verify` over thousands of
// files, the ACS under load) must not make the -wal file grow without bound.
// SQLite only starts the WAL over when a writer begins after a checkpoint
// that copied every frame (https://www.sqlite.org/wal.html, "Avoiding
// Excessively Large WAL Files"); a background PASSIVE checkpoint never
// catches up with a writer that keeps appending. Real SQLite file, real
// Database::Write, no pause between commits.
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <future>
#include <latch>
#include <string>
#include <thread>
#include <vector>

#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

class WalGrowthTest : public StoreTest {
 protected:
  // After kCommits writes: the WAL stayed under its bound (`largest`, its
  // largest size seen), was started over with the writers held off, and
  // every row is there.
  void ExpectBoundedAndComplete(Database& db, std::int64_t largest);
};

// Enough commits for the WAL to pass Database::kWalRestartFrames several
// times over: each commit writes one or two pages (a leaf of the table, and
// its parent when the leaf splits). Without the forced restart, 16,000 such
// commits left an 84 MB WAL (20,400 frames).
constexpr int kCommits = 24000;

Status CreateTable(Database& db) {
  return db.Write([](Connection& c) -> Status {
    return c.Exec("CREATE TABLE growth (id TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID",
                  "creating growth");
  });
}

// One row per commit, keyed like a replay-cache row (a hash-like text, so
// rows land on pages all over the b-tree, as assertion IDs do).
Status InsertOne(Database& db, int n) {
  return db.Write([n](Connection& c) -> Status {
    auto q = c.Prepare("INSERT INTO growth (id, n) VALUES (?1, ?2)");
    if (!q) return std::move(q).error();
    const std::uint64_t key = static_cast<std::uint64_t>(n) * 0x9E3779B97F4A7C15ULL;
    q->BindText(1, "_" + std::to_string(key) + "-" + std::to_string(n)).BindInt(2, n);
    return q->Run();
  });
}

std::int64_t FileSize(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<std::int64_t>(st.st_size) : 0;
}

// The -wal file's largest size allowed (the file keeps the size it once
// reached: SQLite reuses it from its start): the restart threshold plus the
// frames appended while the checkpoint that finds the WAL past it runs, and
// while the one with the writers held off waits for the running group.
// These writers are far faster than any real load (about 30,000 frames a
// second in the debug build, against about 5,000 for `verify`), and a
// checkpoint's two fsyncs took up to 65 ms on the shared test VM: hence
// four checkpoint intervals of slack (measured overshoot: up to 1,700
// frames; the bound is still far below the WAL's size without the fix).
std::int64_t WalBound(std::int64_t page_size) {
  const std::int64_t frames = Database::kWalRestartFrames + 4 * Database::kCheckpointFrames;
  return 32 + frames * (page_size + 24);  // WAL header, then per frame a 24-byte header
}

// Largest -wal size seen while `write` runs (polled, since the file only
// grows until the Database closes and deletes it).
template <class F>
std::int64_t LargestWalWhile(const std::string& wal, F write) {
  std::atomic<bool> done{false};
  std::atomic<std::int64_t> largest{0};
  std::thread watcher([&] {
    while (!done.load()) {
      largest.store(std::max(largest.load(), FileSize(wal)));
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  });
  write();
  largest.store(std::max(largest.load(), FileSize(wal)));
  done.store(true);
  watcher.join();
  return largest.load();
}

void WalGrowthTest::ExpectBoundedAndComplete(Database& db, std::int64_t largest) {
  const std::int64_t bound = WalBound(Scalar("PRAGMA page_size"));
  EXPECT_LE(largest, bound) << "the WAL grew to " << largest << " bytes";
  EXPECT_GE(db.stats().wal_restart_checkpoints, 1);
  EXPECT_GE(db.stats().wal_restart_complete, 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM growth"), kCommits);
  EXPECT_EQ(Scalar("SELECT SUM(n) FROM growth"),
            static_cast<long long>(kCommits) * (kCommits - 1) / 2);
}

TEST_F(WalGrowthTest, OneWriterWithoutPausesKeepsTheWalBounded) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db));
  int failed = 0;
  const std::int64_t largest = LargestWalWhile(path_ + "-wal", [&] {
    for (int i = 0; i < kCommits; ++i) {
      if (!InsertOne(*db, i)) ++failed;
    }
  });
  EXPECT_EQ(failed, 0);
  ExpectBoundedAndComplete(*db, largest);
}

TEST_F(WalGrowthTest, TwoWritersWithoutPausesKeepTheWalBounded) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db));
  std::atomic<int> failed{0};
  const std::int64_t largest = LargestWalWhile(path_ + "-wal", [&] {
    std::vector<std::thread> writers;
    for (int t = 0; t < 2; ++t) {
      writers.emplace_back([&, t] {
        for (int i = t; i < kCommits; i += 2) {
          if (!InsertOne(*db, i)) failed.fetch_add(1);
        }
      });
    }
    for (auto& w : writers) w.join();
  });
  EXPECT_EQ(failed.load(), 0);
  ExpectBoundedAndComplete(*db, largest);
}

TEST_F(WalGrowthTest, WritersAreNotHeldWhileTheWalStaysBelowTheCap) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db));
  // About 1,900 frames: checkpoints run (past kCheckpointFrames), but the
  // WAL never reaches kWalRestartFrames.
  for (int i = 0; i < 1500; ++i) ASSERT_TRUE(InsertOne(*db, i));
  for (int i = 0; i < 100 && db->stats().checkpoints == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_GE(db->stats().checkpoints, 1);
  EXPECT_EQ(db->stats().wal_restart_checkpoints, 0);
}

TEST_F(WalGrowthTest, AReaderOnAnOldSnapshotDelaysTheRestartWithoutBlockingWriters) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ASSERT_TRUE(CreateTable(*db));
  ASSERT_TRUE(InsertOne(*db, 0));
  // A read left in the middle of its statement keeps its snapshot, so no
  // checkpoint may copy the frames after it (the WAL must grow meanwhile).
  std::latch reading(1);
  std::promise<void> release;
  auto reader = std::async(std::launch::async, [&] {
    return db->Read([&](Connection& c) -> Status {
      auto q = c.Prepare("SELECT n FROM growth");
      if (!q) return std::move(q).error();
      auto row = q->Step();
      reading.count_down();
      release.get_future().wait();
      if (!row) return std::move(row).error();
      return Ok();
    });
  });
  reading.wait();
  const int half = kCommits / 2;
  int failed = 0;
  for (int i = 1; i < half; ++i) {
    if (!InsertOne(*db, i)) ++failed;
  }
  EXPECT_EQ(failed, 0);
  // Writers were held off for checkpoints that could copy nothing, briefly:
  // all the commits went through.
  EXPECT_GE(db->stats().wal_restart_checkpoints, 1);
  EXPECT_EQ(db->stats().wal_restart_complete, 0);
  release.set_value();
  ASSERT_TRUE(reader.get());
  // With the snapshot gone, the next checkpoints copy the backlog and the
  // WAL starts over again.
  for (int i = half; i < kCommits; ++i) {
    if (!InsertOne(*db, i)) ++failed;
  }
  EXPECT_EQ(failed, 0);
  EXPECT_GE(db->stats().wal_restart_complete, 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM growth"), kCommits);
}

}  // namespace
}  // namespace vsso::store
