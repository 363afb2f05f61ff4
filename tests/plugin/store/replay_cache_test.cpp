#include "store/replay_cache.hpp"

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <latch>
#include <thread>

#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

constexpr UnixSeconds kNow = 1750000000;
constexpr const char* kIssuer = "https://idp.example.org";

class ReplayCacheTest : public EngineTest {
 protected:
  struct Tally {
    int first_uses = 0;
    int failures = 0;
  };
  // Runs claim(cache, t) on `threads` threads released at once, each on a
  // Database of its own (as processes or nodes would be), and counts the
  // answers: first uses, and failures (each reported).
  Tally RaceOnOwnDatabases(
      int threads, const std::function<std::vector<Result<bool>>(ReplayCache&, int)>& claim) {
    std::atomic<int> first_uses{0};
    std::atomic<int> failures{0};
    std::latch start(threads);
    std::vector<std::thread> running;
    for (int t = 0; t < threads; ++t) {
      running.emplace_back([&, t] {
        auto db = Database::Open(target_);
        if (!db) {
          ++failures;
          ADD_FAILURE() << db.error().code << ": " << db.error().message;
          start.count_down();
          return;
        }
        ReplayCache cache(*db, "default");
        start.arrive_and_wait();
        for (const auto& answer : claim(cache, t)) {
          if (!answer) {
            ++failures;
            ADD_FAILURE() << answer.error().code << ": " << answer.error().message;
          } else if (*answer) {
            ++first_uses;
          }
        }
      });
    }
    for (auto& t : running) t.join();
    return {first_uses.load(), failures.load()};
  }
};

TEST_P(ReplayCacheTest, FirstUseThenReplay) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ReplayCache cache(db, "default");
  auto first = cache.FirstUse("_a1", kIssuer, kNow + 300, kNow);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(*first);
  auto replay = cache.FirstUse("_a1", kIssuer, kNow + 300, kNow + 10);
  ASSERT_TRUE(replay);
  EXPECT_FALSE(*replay);
  // A second handle on the same file sees it too.
  ReplayCache other(OpenDb(), "default");
  auto replay_other = other.FirstUse("_a1", kIssuer, kNow + 300, kNow + 20);
  ASSERT_TRUE(replay_other);
  EXPECT_FALSE(*replay_other);
  auto different = cache.FirstUse("_a2", kIssuer, kNow + 300, kNow);
  ASSERT_TRUE(different);
  EXPECT_TRUE(*different);
}

TEST_P(ReplayCacheTest, ExpiredEntryNoLongerCountsAndPurgeRemovesIt) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ReplayCache cache(db, "default");
  ASSERT_TRUE(*cache.FirstUse("_old", kIssuer, kNow + 100, kNow));
  ASSERT_TRUE(*cache.FirstUse("_live", kIssuer, kNow + 1000, kNow));
  // Still remembered at keep_until itself.
  auto at_edge = cache.FirstUse("_old", kIssuer, kNow + 200, kNow + 100);
  ASSERT_TRUE(at_edge);
  EXPECT_FALSE(*at_edge);

  // Another site's expired entry goes in the same statement.
  ASSERT_TRUE(*ReplayCache(db, "other").FirstUse("_old", kIssuer, kNow + 100, kNow));
  auto purged = ReplayCache::PurgeExpiredAllSites(*db, kNow + 101);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM replay_cache"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM replay_cache WHERE assertion_id = '_live'"), 1);

  // Without a purge, an expired row is replaced on its next first use.
  ASSERT_TRUE(*cache.FirstUse("_short", kIssuer, kNow + 10, kNow));
  auto after_expiry = cache.FirstUse("_short", kIssuer, kNow + 500, kNow + 11);
  ASSERT_TRUE(after_expiry);
  EXPECT_TRUE(*after_expiry);
  EXPECT_EQ(Scalar("SELECT keep_until FROM replay_cache WHERE assertion_id = '_short'"),
            kNow + 500);
}

TEST_P(ReplayCacheTest, FirstUseNeverPurges) {
  // Purging is the housekeeping pass's job (issue 15): however many sign-ins
  // go by, none of them deletes an expired entry, its own site's or another's.
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ASSERT_TRUE(*ReplayCache(db, "default").FirstUse("_x", kIssuer, kNow + 10, kNow));
  ASSERT_TRUE(*ReplayCache(db, "other").FirstUse("_x", kIssuer, kNow + 10, kNow));
  // More first uses than the opportunistic purge used to wait for (1000).
  for (int i = 0; i < 1100; ++i) {
    auto r = ReplayCache(db, "default")
                 .FirstUse("_n" + std::to_string(i), kIssuer, kNow + 1000, kNow + 50);
    ASSERT_TRUE(r) << r.error().message;
    ASSERT_TRUE(*r);
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM replay_cache WHERE assertion_id = '_x'"), 2);
  auto purged = ReplayCache::PurgeExpiredAllSites(*db, kNow + 50);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM replay_cache"), 1100);
}

TEST_P(ReplayCacheTest, EmptyIdIsRefused) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ReplayCache cache(db, "default");
  auto r = cache.FirstUse("", kIssuer, kNow + 10, kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "store.replay_bad_id");
}

TEST_P(ReplayCacheTest, FirstUseManyAnswersEachClaimAsOneByOneInOneTransaction) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ReplayCache cache(db, "default");
  ASSERT_TRUE(*cache.FirstUse("_live", kIssuer, kNow + 1000, kNow));
  ASSERT_TRUE(*cache.FirstUse("_old", kIssuer, kNow + 10, kNow));
  const std::vector<ReplayClaim> claims = {
      {"_m1", kIssuer, kNow + 300, kNow + 20},    // new
      {"_m1", kIssuer, kNow + 300, kNow + 20},    // taken by the claim before it
      {"_live", kIssuer, kNow + 300, kNow + 20},  // taken before the batch
      {"_old", kIssuer, kNow + 400, kNow + 20},   // its entry expired: replaced
      {"", kIssuer, kNow + 300, kNow + 20},       // no ID: refused, the rest go on
      {"_m2", kIssuer, kNow + 300, kNow + 20},
  };
  const auto before = db->stats().transactions;
  auto answers = cache.FirstUseMany(claims);
  EXPECT_EQ(db->stats().transactions - before, 1);
  ASSERT_EQ(answers.size(), claims.size());
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u}) ASSERT_TRUE(answers[i]) << i;
  EXPECT_TRUE(*answers[0]);
  EXPECT_FALSE(*answers[1]);
  EXPECT_FALSE(*answers[2]);
  EXPECT_TRUE(*answers[3]);
  ASSERT_FALSE(answers[4]);
  EXPECT_EQ(answers[4].error().code, "store.replay_bad_id");
  EXPECT_TRUE(*answers[5]);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM replay_cache"), 4);
  EXPECT_EQ(Scalar("SELECT keep_until FROM replay_cache WHERE assertion_id = '_old'"), kNow + 400);
  EXPECT_EQ(Scalar("SELECT keep_until FROM replay_cache WHERE assertion_id = '_live'"),
            kNow + 1000);
  // A later single use sees the batch's rows.
  EXPECT_FALSE(*cache.FirstUse("_m2", kIssuer, kNow + 300, kNow + 30));
  EXPECT_TRUE(cache.FirstUseMany({}).empty());
}

TEST_P(ReplayCacheTest, FirstUseManyRecordsNothingWhenItsTransactionFails) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ReplayCache cache(db, "default");
  // The third claim's statement fails (a trigger, or a check constraint,
  // that the test adds): the two before it must not stay recorded.
  RawExec(GetParam() == Engine::kSqlite
              ? "CREATE TRIGGER refuse BEFORE INSERT ON replay_cache WHEN NEW.assertion_id = "
                "'_bad' BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
              : "ALTER TABLE replay_cache ADD CONSTRAINT refuse CHECK (assertion_id <> '_bad')");
  const std::vector<ReplayClaim> claims = {
      {"_a", kIssuer, kNow + 300, kNow},
      {"_b", kIssuer, kNow + 300, kNow},
      {"_bad", kIssuer, kNow + 300, kNow},
  };
  auto answers = cache.FirstUseMany(claims);
  ASSERT_EQ(answers.size(), 3u);
  for (const auto& answer : answers) {
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().code, "store.query_failed") << answer.error().message;
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM replay_cache"), 0);
  EXPECT_TRUE(*cache.FirstUse("_a", kIssuer, kNow + 300, kNow));
}

TEST_P(ReplayCacheTest, BatchesOfTwoConnectionsInOppositeOrdersEachIdWinsOnceWithoutDeadlock) {
  // Two `verify` processes over the same files in different orders: on
  // PostgreSQL, inserts of common keys in opposite orders deadlocked (one
  // batch then failed whole) before FirstUseMany claimed in ID order.
  ASSERT_TRUE(OpenDb());
  for (int round = 0; round < 10; ++round) {
    std::vector<ReplayClaim> forward;
    for (int i = 0; i < 64; ++i) {
      forward.push_back(
          {"_r" + std::to_string(round) + "-" + std::to_string(i), kIssuer, kNow + 300, kNow});
    }
    const std::vector<ReplayClaim> backward(forward.rbegin(), forward.rend());
    const auto tally = RaceOnOwnDatabases(2, [&](ReplayCache& cache, int t) {
      return cache.FirstUseMany(t == 0 ? forward : backward);
    });
    EXPECT_EQ(tally.failures, 0) << "round " << round;
    EXPECT_EQ(tally.first_uses, 64) << "round " << round;
  }
}

TEST_P(ReplayCacheTest, EightThreadsWithOwnConnectionsExactlyOneWins) {
  ASSERT_TRUE(OpenDb());  // create and migrate once
  for (int round = 0; round < 5; ++round) {
    const std::string id = "_race" + std::to_string(round);
    const auto tally = RaceOnOwnDatabases(8, [&](ReplayCache& cache, int) {
      std::vector<Result<bool>> answers;
      answers.push_back(cache.FirstUse(id, kIssuer, kNow + 300, kNow));
      return answers;
    });
    EXPECT_EQ(tally.failures, 0);
    EXPECT_EQ(tally.first_uses, 1) << id;
  }
}

TEST_P(ReplayCacheTest, ThreadsSharingOneDatabaseExactlyOneWins) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  std::atomic<int> wins{0};
  std::latch start(8);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      ReplayCache cache(db, "default");
      start.arrive_and_wait();
      auto r = cache.FirstUse("_shared", kIssuer, kNow + 300, kNow);
      if (r && *r) ++wins;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(wins.load(), 1);
}

TEST_P(ReplayCacheTest, FourProcessesExactlyOneWins) {
  // The parent creates the file, then holds no connection across fork().
  ASSERT_TRUE(OpenDb());
  int go[2];
  ASSERT_EQ(pipe(go), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(go[1]);
      char byte;
      // Blocks until the parent closes the write end: all start together.
      (void)read(go[0], &byte, 1);
      auto db = Database::Open(target_);
      if (!db) _exit(3);
      ReplayCache cache(*db, "default");
      auto r = cache.FirstUse("_cross_process", kIssuer, kNow + 300, kNow);
      _exit(!r ? 2 : (*r ? 0 : 1));
    }
    children.push_back(pid);
  }
  close(go[0]);
  close(go[1]);
  int firsts = 0;
  int replays = 0;
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFEXITED(status));
    const int code = WEXITSTATUS(status);
    EXPECT_TRUE(code == 0 || code == 1) << "child failed with exit code " << code;
    firsts += code == 0;
    replays += code == 1;
  }
  EXPECT_EQ(firsts, 1);
  EXPECT_EQ(replays, 3);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM replay_cache WHERE assertion_id = '_cross_process'"), 1);
}

VSSO_ON_BOTH_ENGINES(ReplayCacheTest);

}  // namespace
}  // namespace vsso::store
