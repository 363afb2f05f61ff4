// The plugin's SQLite database: a small pool of connections to one file,
// each opened in WAL mode with a 5 s busy timeout and synchronous=NORMAL;
// the schema is migrated to the newest version at Open.
//
// Threading: a Database may be shared (std::shared_ptr) by any number of
// threads. Read() lends the callback a connection of its own from the pool
// (opened on demand, kept for reuse), so readers never wait for each other
// nor for a writer (WAL). Writes of this process queue inside the Database
// and are committed in groups (see Write) rather than each waiting in
// SQLite's busy handler, which sleeps a millisecond or more. A Read/Write
// callback must not call back into a repository on the same Database (a
// Write inside a Write would wait for itself). Several processes
// (or several Database objects) may open the same file: BEGIN IMMEDIATE
// makes writers serialise on SQLite's file lock and wait up to the busy
// timeout instead of failing on a stale snapshot.
//
// Durability (WAL, synchronous=NORMAL): a committed transaction survives the
// process being killed (kill -9); a power loss or OS crash may lose the
// last transactions committed before the WAL was last synced (at each
// checkpoint), never corrupt the file. Checkpoints (copying the WAL back into
// the database file, two fsyncs) and the batches of deferred writes (Defer)
// run on a thread of the Database, started when first needed, so no request
// waits for the disk. Under writes without pauses that thread briefly holds
// this process's writers off once the WAL passes kWalRestartFrames, so that
// SQLite can start the WAL over instead of growing it without bound.
//
// PostgreSQL (issue 13): Open() given a postgresql:// or postgres:// URI
// talks to PostgreSQL through libpq instead, behind the same Connection and
// Statement (repositories write `?N` placeholders and SQL both engines run).
// The pool then holds libpq connections, each with its statements prepared
// once (server-side) per SQL text. A Write there skips the group commit
// (made for SQLite's single writer; PostgreSQL locks rows itself): it runs
// at once on a pooled connection of its own, in parallel with the other
// writes of the process, in one transaction whose BEGIN is sent in one
// pipeline (libpq's pipeline mode) with the body's first statement, so a
// one-statement write costs two round trips (BEGIN + statement, COMMIT)
// instead of three. WAL checkpoints and file modes are SQLite's only. Every libpq call is bounded
// by the client: connect_timeout, keepalives and tcp_user_timeout on the socket, statement_timeout
// on the server, and a deadline per call kept by polling the socket (a stopped server answers
// nothing, so statement_timeout alone would never fire). A connection that failed or missed its
// deadline is dropped; the next call opens a new one.
//
// Error codes: "store.open_failed", "store.migration_failed",
// "store.schema_too_new", "store.query_failed", "store.unavailable"
// (PostgreSQL unreachable, down or not answering within the deadline);
// messages carry the engine's message and the database path or URI (a
// password in the URI is never shown).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;
struct pg_conn;
struct pg_result;

namespace vsso::store {

class Connection;

enum class Engine { kSqlite, kPostgres };

/// true for a libpq connection URI (postgresql:// or postgres://).
bool IsPostgresTarget(std::string_view target);
/// `target` with any password (userinfo or password= parameter) removed,
/// for messages and logs.
std::string RedactTarget(std::string_view target);

/// PostgreSQL only; SQLite ignores them.
struct DatabaseOptions {
  /// Given to libpq as its password; empty: libpq's own (PGPASSFILE,
  /// ~/.pgpass, PGPASSWORD).
  std::string password;
  /// The bound on every call (statement, commit, prepare) kept by the
  /// client, and the server's statement_timeout.
  std::chrono::milliseconds call_timeout{5000};
  /// libpq's connect_timeout (it rounds anything below 2 s up to 2 s).
  std::chrono::seconds connect_timeout{5};
};

/// A prepared statement, usually borrowed from the connection's cache. Bind
/// parameters are 1-based, columns 0-based (as in SQLite). On destruction a
/// cached statement is reset and its bindings cleared, ready for reuse.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  Statement& BindInt(int index, std::int64_t value);
  Statement& BindText(int index, std::string_view value);
  /// The same without a copy on SQLite: the statement reads `value` in
  /// place, so it must stay alive and unchanged until this Statement is
  /// destroyed (a parameter or member of the caller, never a temporary).
  /// For the session look-ups of every chat, where the copy and its free
  /// were about 5 % of the read's instructions.
  Statement& BindTextInPlace(int index, const std::string& value);
  Statement& BindTextInPlace(int index, std::string&&) = delete;
  Statement& BindNull(int index);

  /// true: a row is available through the column accessors; false: done.
  /// A failed bind is reported here.
  Result<bool> Step();
  /// Steps until done (statements without result rows).
  Status Run();

  std::int64_t Int(int column) const;
  std::string Text(int column) const;
  bool IsNull(int column) const;

 private:
  friend class Connection;
  // A statement prepared on a PostgreSQL connection: its name there, its
  // text (for messages) and how many parameters it takes ($1..$params).
  struct PgPrepared {
    std::string name;
    std::string sql;
    int params = 0;
  };
  // `in_use` points into the cache entry; nullptr: the statement is owned
  // (finalized on destruction).
  Statement(sqlite3_stmt* stmt, Connection* connection, bool* in_use)
      : stmt_(stmt), connection_(connection), in_use_(in_use) {}
  Statement(Connection* connection, const PgPrepared* prepared);
  Statement& BindPg(int index, std::optional<std::string> value);
  Result<bool> PgStep();

  sqlite3_stmt* stmt_;
  Connection* connection_;
  bool* in_use_;
  int bind_error_ = 0;  // SQLITE_OK
  // PostgreSQL: the prepared statement (owned by the connection's cache),
  // this use's parameters as text (nullopt: NULL) and its whole result,
  // whose rows Step walks through.
  const PgPrepared* pg_ = nullptr;
  std::vector<std::optional<std::string>> params_;
  pg_result* result_ = nullptr;
  int row_ = -1;
  bool pg_bind_error_ = false;
};

/// A connection as seen inside Database::Read/Write. Not thread-safe by
/// itself: a Database lends it to one thread at a time.
class Connection {
 public:
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  /// Prepared once per SQL text and cached for the connection's lifetime;
  /// if the cached one is still in use (nested use of the same text), a
  /// separate statement is prepared for this use only.
  Result<Statement> Prepare(std::string_view sql);
  /// Runs one or more statements without parameters or results.
  Status Exec(std::string_view sql, std::string_view what);
  /// Rows changed by the last INSERT/UPDATE/DELETE.
  int Changes() const;
  /// "store.query_failed" with SQLite's current message and the path.
  Error Failure(std::string_view what) const;
  /// The file's path, or the URI without its password.
  const std::string& path() const { return path_; }
  Engine engine() const { return pg_ != nullptr ? Engine::kPostgres : Engine::kSqlite; }

 private:
  friend class Database;
  friend class Statement;
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}
  /// Opens and configures a connection (WAL, busy timeout, pragmas).
  static Result<std::unique_ptr<Connection>> Open(const std::string& path);
  /// Connects to PostgreSQL (see DatabaseOptions) and sets the session up.
  static Result<std::unique_ptr<Connection>> OpenPostgres(const std::string& uri,
                                                          const DatabaseOptions& options);
  // Runs a cached statement without parameters (BEGIN, COMMIT, ROLLBACK).
  Status Run(std::string_view sql);
  /// BEGIN IMMEDIATE (SQLite) or BEGIN (PostgreSQL).
  Status Begin();
  /// Inside an explicit transaction (SQLite may have ended it by itself).
  bool InTransaction() const;
  /// PostgreSQL: the transaction is aborted (a statement of it failed), so
  /// a COMMIT would roll it back.
  bool TransactionFailed() const;
  /// false: drop it rather than lend it again (PostgreSQL connection lost,
  /// or a call missed its deadline and its state is unknown).
  bool Usable();
  /// Sends with `send`, then waits for every result within the call
  /// deadline; returns the last one (owned by the caller), or a coded error.
  /// With a BEGIN pending (see pg_begin_pending_) and `pipelinable` (one
  /// extended-protocol message, not a simple-query string), BEGIN and the
  /// call go in one pipeline: one round trip; otherwise BEGIN goes first.
  Result<pg_result*> PgCall(const std::function<int(pg_conn*)>& send, std::string_view what,
                            bool pipelinable = true);
  Error PgError(std::string_view what, pg_result* result);
  Result<Statement> PgPrepare(std::string_view sql);
  void ClosePostgres() noexcept;

  sqlite3* db_;
  std::string path_;
  // PostgreSQL: the connection and its prepared statements by SQL text.
  pg_conn* pg_ = nullptr;
  int pid_ = 0;  // of the process that connected (a forked child must not close it)
  bool broken_ = false;
  // A Write's BEGIN not sent yet: it goes out with the first statement.
  bool pg_begin_pending_ = false;
  int pg_changes_ = 0;
  int next_statement_ = 0;
  std::chrono::milliseconds call_timeout_{5000};
  struct PgStatementHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, std::unique_ptr<Statement::PgPrepared>, PgStatementHash,
                     std::equal_to<>>
      pg_cache_;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  // Looked up by string_view, so a cache hit allocates nothing.
  struct TextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const noexcept {
      return std::hash<std::string_view>{}(text);
    }
  };
  std::unordered_map<std::string, Cached, TextHash, std::equal_to<>> cache_;
  /// Pages in the WAL after this connection's last commit (wal hook).
  int wal_pages_ = 0;
};

class Database {
 public:
  /// A commit that leaves at least this many pages in the WAL (and this
  /// many more than at the last request) wakes the Database's thread for a
  /// PASSIVE checkpoint: SQLite's own threshold, but off the committing
  /// thread instead of inside its COMMIT.
  static constexpr int kCheckpointFrames = 1000;
  /// When a background checkpoint ends with the WAL at least this many
  /// frames long and frames appended while it ran, one more PASSIVE
  /// checkpoint copies those with this process's writers held off (see
  /// CheckpointHoldingWriters), so that the next writer starts the WAL over.
  /// SQLite reuses the WAL from its start only when a writer begins after a
  /// checkpoint that copied every frame (https://www.sqlite.org/wal.html,
  /// "Avoiding Excessively Large WAL Files"); checkpoints running while
  /// writers keep appending never get there, and the file grew without
  /// bound (21.8 MB after 3,000 `verify` acceptances, and growing). Four
  /// intervals: a checkpoint in a pause of the load restarts the WAL for
  /// free, writers are held at most once per ~3 intervals of growth, and
  /// the WAL stays about 16 MB (4 KB pages) plus what writers append while
  /// the checkpoints run.
  static constexpr int kWalRestartFrames = 4 * kCheckpointFrames;
  /// How long a deferred write may wait in memory (see Defer).
  static constexpr int kDeferredMilliseconds = 200;
  /// Deferred writes queued beyond which the batch is committed at once.
  static constexpr std::size_t kDeferredBatch = 1000;
  /// Writes committed together at most (see Write); deferred writes are
  /// committed in groups of this size too, so that no request waits long
  /// behind a batch.
  static constexpr std::size_t kMaxGroup = 64;

  /// Opens or creates the file (a new file with mode 0600, and so its -wal
  /// and -shm files), applies pending migrations (each in its own
  /// transaction, recorded in schema_migrations). Refuses a database written
  /// by a newer build ("store.schema_too_new").
  ///
  /// A postgresql:// or postgres:// URI connects to PostgreSQL instead; the
  /// migrations then run under pg_advisory_lock, so several processes
  /// starting on an empty database apply each exactly once.
  static Result<std::shared_ptr<Database>> Open(const std::string& path,
                                                const DatabaseOptions& options = {});
  /// The newest schema version this build knows.
  static int KnownSchemaVersion();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  /// Commits the deferred writes still queued, then closes.
  ~Database();

  /// Highest version recorded in schema_migrations; -1 if it cannot be read.
  int SchemaVersion();
  /// The file's path, or the URI without its password.
  const std::string& path() const { return path_; }
  Engine engine() const { return engine_; }

  /// Runs `sql`, a statement with one integer parameter ?1 (the purges:
  /// "DELETE FROM t WHERE expires_at < ?1"), as a write; returns the number
  /// of rows it changed.
  Result<int> Change(std::string_view sql, std::int64_t parameter);
  /// The same with a text parameter ?1 and an integer ?2 (the per-site
  /// purges: "DELETE FROM t WHERE site_id = ?1 AND last_at < ?2").
  Result<int> Change(std::string_view sql, std::string_view text, std::int64_t parameter);

  /// Runs fn(Connection&) -> Result<T> on a connection of its own, outside
  /// any explicit transaction (single statements are atomic by themselves).
  template <class Fn>
  auto Read(Fn&& fn) -> std::invoke_result_t<Fn, Connection&> {
    try {
      auto connection = Borrow();
      if (!connection) return std::move(connection).error();
      Lease lease(*this, std::move(*connection));
      return fn(lease.connection());
    } catch (const std::exception& e) {
      return Unexpected(e);
    }
  }

  /// Runs fn(Connection&) -> Result<T> inside BEGIN IMMEDIATE ... COMMIT;
  /// an error result or an exception undoes its changes. Committed (durable
  /// against a crash of the process) when it returns a value.
  ///
  /// PostgreSQL: runs at once on a connection of its own (no group commit,
  /// writes of several threads run in parallel); see the top of this file.
  /// Group commit: writes of this process that arrive while a transaction
  /// is being committed wait, then go together into the next one (at most
  /// kMaxGroup), each inside a SAVEPOINT of its own, so an error undoes that
  /// write alone; the callbacks run in order on the thread of the first of
  /// them. Two threads signing visitors in thus share BEGIN and COMMIT
  /// instead of queueing for SQLite's single writer.
  template <class Fn>
  auto Write(Fn&& fn) -> std::invoke_result_t<Fn, Connection&> {
    using R = std::invoke_result_t<Fn, Connection&>;
    try {
      std::optional<R> result;
      WriteBody body = [&](Connection& c) -> Status {
        result.emplace(fn(c));
        if (*result) return Ok();
        return result->error();
      };
      if (Status done = RunWrite(body); !done) return std::move(done).error();
      return std::move(*result);
    } catch (const std::exception& e) {
      return Unexpected(e);
    }
  }

  /// Queues `write` to run later: in order with the other deferred writes,
  /// in one transaction, committed by the Database's thread at most
  /// kDeferredMilliseconds after the first of them was queued (at once
  /// beyond kDeferredBatch), by FlushDeferred(), or when the Database is
  /// destroyed. For writes whose loss is acceptable (records of sign-ins
  /// that succeeded): a crash of the process loses at most that interval's
  /// writes; a write that fails loses its batch.
  void Defer(std::function<Status(Connection&)> write);
  /// Commits the writes deferred so far, before it returns.
  Status FlushDeferred();

  /// Counters since Open, for benchmarks and diagnostics: the work of the
  /// Database's own thread (checkpoints, deferred batches) and its CPU time;
  /// writes, the transactions that committed them, how long writers waited
  /// for another group to finish and how long transactions took (the part
  /// of a write that threads of one process cannot do in parallel).
  struct Stats {
    std::int64_t checkpoints = 0;
    std::int64_t batches = 0;
    std::int64_t background_cpu_ns = 0;
    std::int64_t writes = 0;
    std::int64_t transactions = 0;
    std::int64_t write_wait_ns = 0;
    std::int64_t write_hold_ns = 0;
    /// Checkpoints run with this process's writers held off (see
    /// kWalRestartFrames), those of them that copied every frame (the next
    /// writer then starts the WAL over) and how long writers were held.
    std::int64_t wal_restart_checkpoints = 0;
    std::int64_t wal_restart_complete = 0;
    std::int64_t wal_restart_hold_ns = 0;
  };
  Stats stats() const;

 private:
  using WriteBody = std::function<Status(Connection&)>;
  // A Write waiting for its group's transaction.
  struct PendingWrite {
    WriteBody* body;
    Status outcome = Ok();
    bool done = false;
  };

  // A pooled connection lent to one caller, given back on destruction.
  class Lease {
   public:
    Lease(Database& db, std::unique_ptr<Connection> connection)
        : db_(db), connection_(std::move(connection)) {}
    Lease(const Lease&) = delete;
    Lease& operator=(const Lease&) = delete;
    ~Lease() { db_.GiveBack(std::move(connection_)); }
    Connection& connection() { return *connection_; }

   private:
    Database& db_;
    std::unique_ptr<Connection> connection_;
  };

  Database(std::string target, DatabaseOptions options);

  /// Queues `body`, leads a group when no other is running (see Write),
  /// returns once its transaction has committed or failed.
  Status RunWrite(WriteBody& body);
  /// One transaction for `group`: every outcome set.
  void RunGroup(const std::vector<PendingWrite*>& group) noexcept;
  /// PostgreSQL: `body` in a transaction of its own, on a pooled
  /// connection, without waiting for other writes.
  Status RunAlone(WriteBody& body) noexcept;
  /// An idle connection of the pool, or a new one.
  Result<std::unique_ptr<Connection>> Borrow();
  void GiveBack(std::unique_ptr<Connection> connection) noexcept;
  /// After a commit on `connection`: asks for a checkpoint if the WAL has
  /// grown enough (see kCheckpointFrames).
  void MaybeCheckpoint(Connection& connection) noexcept;
  /// Database's thread: a PASSIVE checkpoint on `checkpointer` while
  /// holding the writer turn as a group leader would (no write of this
  /// process appends meanwhile), so that it can copy every frame.
  void CheckpointHoldingWriters(Connection& checkpointer) noexcept;
  /// Starts the Database's thread if it is not running; needs
  /// background_mutex_ held. Throws if no thread can be started.
  void StartThreadLocked();
  void BackgroundLoop();
  Error Unexpected(const std::exception& e) const;

  std::string target_;  // as given to Open (may hold a password)
  std::string path_;    // for messages
  Engine engine_;
  DatabaseOptions options_;
  int pid_;  // of the process that opened it; a forked child neither joins nor writes
  // Writes waiting for a transaction; one group at a time is committed.
  std::mutex queue_mutex_;
  std::condition_variable queue_cv_;
  std::vector<PendingWrite*> queue_;
  bool leading_ = false;
  // The Database's thread waits for the writer turn (see
  // CheckpointHoldingWriters): writers arriving meanwhile queue instead of
  // leading, so that a continuous stream of writes cannot keep it waiting.
  bool turn_wanted_ = false;
  std::mutex pool_mutex_;
  std::condition_variable pool_ready_;
  std::vector<std::unique_ptr<Connection>> idle_;
  // In-memory database: one connection, taken in turns.
  bool single_;

  // The Database's thread and what it is asked to do.
  std::mutex background_mutex_;
  std::condition_variable background_cv_;
  std::unique_ptr<std::thread> thread_;
  bool stopping_ = false;
  bool checkpoint_wanted_ = false;
  int last_requested_pages_ = 0;
  int last_seen_pages_ = 0;
  // Frames in the WAL after this process's last commit (any size, unlike
  // last_seen_pages_): read by the Database's thread after a checkpoint.
  std::atomic<int> wal_frames_{0};
  std::vector<std::function<Status(Connection&)>> deferred_;
  std::chrono::steady_clock::time_point deferred_deadline_;
  // Batches are committed in the order they were queued.
  std::mutex flush_mutex_;
  std::atomic<std::int64_t> checkpoints_{0};
  std::atomic<std::int64_t> batches_{0};
  std::atomic<std::int64_t> background_cpu_ns_{0};
  std::atomic<std::int64_t> writes_{0};
  std::atomic<std::int64_t> transactions_{0};
  std::atomic<std::int64_t> write_wait_ns_{0};
  std::atomic<std::int64_t> write_hold_ns_{0};
  std::atomic<std::int64_t> wal_restart_checkpoints_{0};
  std::atomic<std::int64_t> wal_restart_complete_{0};
  std::atomic<std::int64_t> wal_restart_hold_ns_{0};
};

}  // namespace vsso::store
