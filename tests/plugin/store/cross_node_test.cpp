// Issue 13: several nodes on one database. Each "node" is a Database of its
// own (its own pool of connections), as separate processes would have;
// both engines run the same races. Then PostgreSQL's client-side bounds: a
// server that does not answer, a call that outlives its deadline, a
// connection the server ends.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "plugin/store/store_fixture.hpp"
#include "store/audit_log.hpp"
#include "store/handoff_store.hpp"
#include "store/replay_cache.hpp"
#include "store/request_store.hpp"
#include "store/session_repository.hpp"
#include "store/transcript_repository.hpp"

namespace vsso::store {
namespace {

constexpr UnixSeconds kNow = 1750000000;
constexpr const char* kIssuer = "https://idp.example.org";

using CrossNodeTest = EngineTest;

// Runs a(), b() on two threads released together; returns when both are done.
template <class A, class B>
void Together(A a, B b) {
  std::latch start(2);
  std::thread first([&] {
    start.arrive_and_wait();
    a();
  });
  start.arrive_and_wait();
  b();
  first.join();
}

TEST_P(CrossNodeTest, TwoNodesGivenTheSameAssertionAcceptItExactlyOnce) {
  auto node1 = OpenDb();
  auto node2 = OpenDb();
  ASSERT_TRUE(node1 && node2);
  ReplayCache cache1(node1, "default");
  ReplayCache cache2(node2, "default");
  for (int round = 0; round < 200; ++round) {
    const std::string id = "_assertion" + std::to_string(round);
    Result<bool> r1 = false;
    Result<bool> r2 = false;
    Together([&] { r1 = cache1.FirstUse(id, kIssuer, kNow + 300, kNow); },
             [&] { r2 = cache2.FirstUse(id, kIssuer, kNow + 300, kNow); });
    ASSERT_TRUE(r1) << r1.error().code << ": " << r1.error().message;
    ASSERT_TRUE(r2) << r2.error().code << ": " << r2.error().message;
    ASSERT_EQ(int{*r1} + int{*r2}, 1) << "round " << round;
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM replay_cache"), 200);
}

TEST_P(CrossNodeTest, APendingSignInOrHandoffIsTakenByOneNodeOnly) {
  auto node1 = OpenDb();
  auto node2 = OpenDb();
  ASSERT_TRUE(node1 && node2);
  RequestStore requests1(node1, "default");
  RequestStore requests2(node2, "default");
  HandoffStore handoffs1(node1, "default");
  HandoffStore handoffs2(node2, "default");
  for (int round = 0; round < 100; ++round) {
    const std::string n = std::to_string(round);
    // Started on node 1: each round a different browser, so none is trimmed.
    ASSERT_TRUE(requests1.Save(
        PendingRequest{"_req" + n, "rs" + n, "visitor", "/chat", "browser" + n, kNow, kNow + 600},
        kNow, 100000));
    Result<PendingRequest> t1 = MakeError("unset", "");
    Result<PendingRequest> t2 = MakeError("unset", "");
    Together([&] { t1 = requests1.Take("rs" + n, kNow + 1); },
             [&] { t2 = requests2.Take("rs" + n, kNow + 1); });
    ASSERT_NE(bool(t1), bool(t2)) << "round " << round;
    const Error& loser = t1 ? t2.error() : t1.error();
    EXPECT_EQ(loser.code, "store.request_unknown") << loser.message;

    Handoff h;
    h.token_hash = "token" + n;
    h.kind = HandoffKind::kCode;
    h.browser_hash = "browser";
    h.payload = "{}";
    h.return_url = "/chat";
    h.created_at = kNow;
    h.expires_at = kNow + 60;
    ASSERT_TRUE(handoffs2.Save(h, kNow));
    Result<Handoff> h1 = MakeError("unset", "");
    Result<Handoff> h2 = MakeError("unset", "");
    Together([&] { h1 = handoffs1.Take(h.token_hash, HandoffKind::kCode, kNow + 1); },
             [&] { h2 = handoffs2.Take(h.token_hash, HandoffKind::kCode, kNow + 1); });
    ASSERT_NE(bool(h1), bool(h2)) << "round " << round;
    EXPECT_EQ((h1 ? h2.error() : h1.error()).code, "store.handoff_unknown");
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM authn_requests"), 0);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_handoffs"), 0);
}

TEST_P(CrossNodeTest, FourNodesStartingOnAnEmptyDatabaseMigrateItOnce) {
  std::vector<Result<std::shared_ptr<Database>>> opened(4, MakeError("unset", ""));
  std::latch start(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      opened[static_cast<std::size_t>(i)] = Database::Open(target_);
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& db : opened) {
    ASSERT_TRUE(db) << db.error().code << ": " << db.error().message;
    EXPECT_EQ((*db)->SchemaVersion(), Database::KnownSchemaVersion());
  }
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM schema_migrations"), Database::KnownSchemaVersion());
  EXPECT_EQ(Scalar("SELECT COUNT(DISTINCT version) FROM schema_migrations"),
            Database::KnownSchemaVersion());
}

TEST_P(CrossNodeTest, SessionsTagsAndAuditOfOneNodeAreSeenOnTheOther) {
  auto node1 = OpenDb();
  auto node2 = OpenDb();
  ASSERT_TRUE(node1 && node2);
  SsoSession s;
  s.visitor_id = "v1";
  s.customer_id = "alice@example.org";
  s.name_id = "alice";
  s.name_id_format = "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent";
  s.session_index = "_s1";
  s.idp_entity_id = kIssuer;
  s.signed_in_at = kNow;
  s.expires_at = kNow + 3600;
  s.fields_json = "[]";
  s.attributes_json = "{}";
  ASSERT_TRUE(SessionRepository(node1, "default").Upsert(s));
  auto found = SessionRepository(node2, "default").FindLive("v1", kNow + 1);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->customer_id, "alice@example.org");

  TranscriptTag tag{"t1", "chat1", "v1", "alice@example.org", kIssuer, true, "support", kNow};
  ASSERT_TRUE(TranscriptRepository(node1, "default").Save(tag));
  auto page = TranscriptRepository(node2, "default").FindByCustomerId("alice@example.org", 10, "");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].chat_id, "chat1");

  AuditEvent e;
  e.at = kNow;
  e.kind = "sign_in_accepted";
  e.code = "ok";
  e.message = "node 1";
  ASSERT_TRUE(AuditLog(node1, "default").Record(e));
  e.message = "node 2";
  ASSERT_TRUE(AuditLog(node2, "default").Record(e));
  auto latest = AuditLog(node2, "default").Latest(10);
  ASSERT_TRUE(latest) << latest.error().message;
  EXPECT_EQ(latest->size(), 2u);
}

VSSO_ON_BOTH_ENGINES(CrossNodeTest);

// PostgreSQL only (skipped without VSSO_TEST_POSTGRES_URI).
using PostgresTest = EngineTest;

TEST_P(PostgresTest, ACallThatOutlivesItsDeadlineIsCutByTheClient) {
  ASSERT_TRUE(OpenDb());
  DatabaseOptions options;
  options.call_timeout = std::chrono::milliseconds(1000);
  auto db = Database::Open(target_, options);
  ASSERT_TRUE(db) << db.error().message;
  const auto started = std::chrono::steady_clock::now();
  auto slept = (*db)->Read([](Connection& c) -> Status {
    // The server's own bound off: only the client's deadline can end this.
    if (auto st = c.Exec("SET statement_timeout = 0", "test"); !st) return st;
    auto q = c.Prepare("SELECT pg_sleep(20)");
    if (!q) return std::move(q).error();
    return q->Run();
  });
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(slept);
  EXPECT_EQ(slept.error().code, "store.unavailable") << slept.error().message;
  EXPECT_NE(slept.error().message.find("did not answer within 1000 ms"), std::string::npos)
      << slept.error().message;
  EXPECT_LT(took, std::chrono::milliseconds(3000));
  // The connection in an unknown state was dropped; the next call gets a
  // fresh one.
  ReplayCache cache(*db, "default");
  auto next = cache.FirstUse("_after", kIssuer, kNow + 300, kNow);
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_TRUE(*next);
}

TEST_P(PostgresTest, AConnectionTheServerEndsIsReplacedByItself) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  ReplayCache cache(db, "default");
  ASSERT_TRUE(cache.FirstUse("_before", kIssuer, kNow + 300, kNow));
  // As a server restart does to every session: terminated from outside.
  EXPECT_GE(PgScalar(TestPostgresUri(),
                     "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                     "application_name = 'visitor-sso' AND datname = '" +
                         database_ + "'"),
            1);
  // The pool notices the closed connection before lending it, or the call
  // fails once with a coded error and the next one reconnects.
  int failures = 0;
  Result<bool> r = false;
  for (int attempt = 0; attempt < 2; ++attempt) {
    r = cache.FirstUse("_after", kIssuer, kNow + 300, kNow);
    if (r) break;
    ++failures;
    EXPECT_EQ(r.error().code, "store.unavailable") << r.error().message;
  }
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_TRUE(*r);
  EXPECT_LE(failures, 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM replay_cache"), 2);
}

TEST_P(PostgresTest, SyntaxErrorsAreQueryFailuresNotUnavailability) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  auto r = db->Read([](Connection& c) -> Status {
    auto q = c.Prepare("SELECT no_such_column FROM replay_cache");
    if (!q) return std::move(q).error();
    return q->Run();
  });
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "store.query_failed");
  EXPECT_NE(r.error().message.find("no_such_column"), std::string::npos) << r.error().message;
}

INSTANTIATE_TEST_SUITE_P(Engine, PostgresTest, ::testing::Values(Engine::kPostgres), EngineName);

// A TCP port that completes the handshake (the kernel does it) and then
// never answers, as a stopped (SIGSTOP) or hung server does.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t n = sizeof a;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), n) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &n) != 0) {
      ADD_FAILURE() << "cannot listen on 127.0.0.1";
    }
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(PostgresBounds, AServerThatNeverAnswersFailsWithinTheConnectTimeout) {
  SilentServer silent;
  DatabaseOptions options;
  options.connect_timeout = std::chrono::seconds(2);
  const auto started = std::chrono::steady_clock::now();
  auto db = Database::Open("postgresql://vsso@127.0.0.1:" + std::to_string(silent.port()) + "/vsso",
                           options);
  const auto took = std::chrono::steady_clock::now() - started;
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "store.unavailable") << db.error().message;
  EXPECT_GE(took, std::chrono::milliseconds(1500));
  EXPECT_LT(took, std::chrono::milliseconds(5000));
}

TEST(PostgresBounds, AClosedPortIsUnavailableAtOnceAndThePasswordIsNeverShown) {
  int port = 0;
  {
    SilentServer gone;  // a port that was free a moment ago, now closed
    port = gone.port();
  }
  const auto started = std::chrono::steady_clock::now();
  auto db = Database::Open("postgresql://vsso:s3cret-pw@127.0.0.1:" + std::to_string(port) +
                           "/vsso?sslmode=disable");
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, "store.unavailable") << db.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(2000));
  EXPECT_EQ(db.error().message.find("s3cret-pw"), std::string::npos) << db.error().message;
  EXPECT_NE(db.error().message.find("postgresql://vsso@127.0.0.1:" + std::to_string(port)),
            std::string::npos)
      << db.error().message;
  EXPECT_EQ(RedactTarget("postgres://u@h/d?password=x&sslmode=require"),
            "postgres://u@h/d?password=***&sslmode=require");
}

}  // namespace
}  // namespace vsso::store
