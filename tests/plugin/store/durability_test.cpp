// What a kill -9 of the host process may cost on SQLite (WAL,
// synchronous=NORMAL; docs/performance.md "Durability"): nothing that was
// committed. A child process commits a replay row, a session and a
// transcript tag, queues audit rows in the batch that is not yet written,
// and is killed with SIGKILL before it could close, checkpoint or flush.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "plugin/store/store_fixture.hpp"
#include "store/audit_log.hpp"
#include "store/replay_cache.hpp"
#include "store/session_repository.hpp"
#include "store/transcript_repository.hpp"

namespace vsso::store {
namespace {

constexpr UnixSeconds kNow = 1750000000;
constexpr const char* kIssuer = "https://idp.example.org";

using DurabilityTest = StoreTest;

// The child's steps; any failure exits with its own code before the kill.
[[noreturn]] void CommitThenDie(const std::string& path) {
  auto db = Database::Open(path);
  if (!db) _exit(3);
  auto first = ReplayCache(*db, "default").FirstUse("_killed", kIssuer, kNow + 300, kNow);
  if (!first || !*first) _exit(4);
  SsoSession session;
  session.visitor_id = "visitor-1";
  session.customer_id = "C-1001";
  session.name_id = "alice@example.org";
  session.idp_entity_id = kIssuer;
  session.signed_in_at = kNow;
  session.expires_at = kNow + 3600;
  session.fields_json = "[]";
  session.attributes_json = "{}";
  if (!SessionRepository(*db, "default").Upsert(session)) _exit(5);
  TranscriptTag tag;
  tag.transcript_id = "transcript-1";
  tag.chat_id = "chat-1";
  tag.visitor_id = "visitor-1";
  tag.customer_id = "C-1001";
  tag.idp_entity_id = kIssuer;
  tag.signed_in = true;
  tag.team = "Sales";
  tag.saved_at = kNow;
  if (!TranscriptRepository(*db, "default").Save(tag)) _exit(6);
  AuditEvent event;
  event.at = kNow;
  event.kind = "sign_in_accepted";
  event.code = "ok";
  event.message = "customer C-1001 signed in";
  AuditLog(*db, "default").RecordBatched(event);  // may be lost: batched
  ::kill(::getpid(), SIGKILL);
  _exit(7);  // not reached
}

TEST_F(DurabilityTest, AKillNineLosesNothingThatWasCommitted) {
  ASSERT_TRUE(OpenDb());  // created and migrated; no connection crosses fork()
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) CommitThenDie(path_);
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFSIGNALED(status)) << "the child exited with " << WEXITSTATUS(status);
  ASSERT_EQ(WTERMSIG(status), SIGKILL);
  // The commits are in the WAL only (no checkpoint ran): this is the case
  // the test is about, not a clean close that copied them into the file.
  ASSERT_TRUE(std::filesystem::exists(path_ + "-wal"));
  EXPECT_GT(std::filesystem::file_size(path_ + "-wal"), 0u);

  auto db = OpenDb();
  ASSERT_TRUE(db);
  auto replay = ReplayCache(db, "default").FirstUse("_killed", kIssuer, kNow + 300, kNow + 5);
  ASSERT_TRUE(replay) << replay.error().message;
  EXPECT_FALSE(*replay) << "the replay row committed before the kill was lost";
  auto live = SessionRepository(db, "default").FindLive("visitor-1", kNow + 5);
  ASSERT_TRUE(live);
  ASSERT_TRUE(live->has_value());
  EXPECT_EQ((*live)->customer_id, "C-1001");
  auto page = TranscriptRepository(db, "default").FindByCustomerId("C-1001", 20, "");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->rows.size(), 1u);
  EXPECT_EQ(page->rows[0].transcript_id, "transcript-1");
  // At most the last batch interval of audit rows may be gone; the batch
  // of this child had no chance to be written.
  EXPECT_LE(Scalar("SELECT COUNT(*) FROM audit_log WHERE kind = 'sign_in_accepted'"), 1);
}

}  // namespace
}  // namespace vsso::store
