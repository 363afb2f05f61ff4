#include "store/database.hpp"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <thread>

#include "store/migrations.hpp"

namespace vsso::store {
namespace {

constexpr int kBusyTimeoutMs = 5000;

std::string Where(const std::string& path) { return " (database " + path + ")"; }

// The first words of a statement name it in messages; parameters are bound,
// so the text never carries visitor data.
std::string Describe(sqlite3_stmt* stmt) {
  const char* sql = sqlite3_sql(stmt);
  std::string text = sql != nullptr ? sql : "statement";
  const auto start = text.find_first_not_of(" \n\t");
  text = start == std::string::npos ? std::string() : text.substr(start);
  for (char& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (text.size() > 60) text = text.substr(0, 60) + "...";
  return text;
}

Result<int> RecordedVersion(Connection& c) {
  auto stmt = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->Step();
  if (!row) return std::move(row).error();
  return static_cast<int>(stmt->Int(0));
}

}  // namespace

// ---- Statement ------------------------------------------------------------

Statement::Statement(Statement&& other) noexcept
    : stmt_(other.stmt_),
      connection_(other.connection_),
      in_use_(other.in_use_),
      bind_error_(other.bind_error_),
      pg_(other.pg_),
      params_(std::move(other.params_)),
      result_(other.result_),
      row_(other.row_),
      pg_bind_error_(other.pg_bind_error_) {
  other.stmt_ = nullptr;
  other.pg_ = nullptr;
  other.result_ = nullptr;
}

Statement::Statement(Connection* connection, const PgPrepared* prepared)
    : stmt_(nullptr), connection_(connection), in_use_(nullptr), pg_(prepared) {
  params_.resize(static_cast<std::size_t>(prepared->params));
}

Statement::~Statement() {
  if (result_ != nullptr) PQclear(result_);
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

Statement& Statement::BindPg(int index, std::optional<std::string> value) {
  if (index < 1 || index > static_cast<int>(params_.size())) {
    pg_bind_error_ = true;
  } else {
    params_[static_cast<std::size_t>(index - 1)] = std::move(value);
  }
  return *this;
}

Statement& Statement::BindInt(int index, std::int64_t value) {
  if (pg_ != nullptr) return BindPg(index, std::to_string(value));
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindText(int index, std::string_view value) {
  if (pg_ != nullptr) {
    // libpq passes text parameters as C strings, and PostgreSQL's text
    // cannot hold NUL: refused rather than cut short.
    if (value.find('\0') != std::string_view::npos) {
      pg_bind_error_ = true;
      return *this;
    }
    return BindPg(index, std::string(value));
  }
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindTextInPlace(int index, const std::string& value) {
  if (pg_ != nullptr) return BindText(index, value);
  // SQLITE_STATIC: read until the destructor's reset and clear_bindings.
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_STATIC, SQLITE_UTF8);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindNull(int index) {
  if (pg_ != nullptr) return BindPg(index, std::nullopt);
  const int rc = sqlite3_bind_null(stmt_, index);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Result<bool> Statement::Step() {
  if (pg_ != nullptr) return PgStep();
  if (bind_error_ != SQLITE_OK) {
    return MakeError("store.query_failed", "binding parameters of \"" + Describe(stmt_) +
                                               "\": " + sqlite3_errstr(bind_error_) +
                                               Where(connection_->path()));
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return connection_->Failure("\"" + Describe(stmt_) + "\"");
}

Status Statement::Run() {
  for (;;) {
    auto row = Step();
    if (!row) return std::move(row).error();
    if (!*row) return Ok();
  }
}

std::int64_t Statement::Int(int column) const {
  if (pg_ != nullptr) {
    // Integer columns arrive as decimal text (text result format).
    return std::strtoll(PQgetvalue(result_, row_, column), nullptr, 10);
  }
  return sqlite3_column_int64(stmt_, column);
}

std::string Statement::Text(int column) const {
  if (pg_ != nullptr) {
    return std::string(PQgetvalue(result_, row_, column),
                       static_cast<std::size_t>(PQgetlength(result_, row_, column)));
  }
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::IsNull(int column) const {
  if (pg_ != nullptr) return PQgetisnull(result_, row_, column) != 0;
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Connection -----------------------------------------------------------

Connection::~Connection() {
  if (pg_ != nullptr) {
    ClosePostgres();
    return;
  }
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::Prepare(std::string_view sql) {
  if (pg_ != nullptr) return PgPrepare(sql);
  auto prepare = [&](unsigned flags) -> Result<sqlite3_stmt*> {
    sqlite3_stmt* stmt = nullptr;
    const int rc =
        sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), flags, &stmt, nullptr);
    if (rc != SQLITE_OK || stmt == nullptr) {
      sqlite3_finalize(stmt);
      return Failure("preparing \"" + std::string(sql.substr(0, 60)) + "\"");
    }
    return stmt;
  };
  auto it = cache_.find(sql);
  if (it != cache_.end() && it->second.in_use) {
    auto stmt = prepare(0);
    if (!stmt) return std::move(stmt).error();
    return Statement(*stmt, this, nullptr);
  }
  if (it == cache_.end()) {
    auto stmt = prepare(SQLITE_PREPARE_PERSISTENT);
    if (!stmt) return std::move(stmt).error();
    it = cache_.emplace(std::string(sql), Cached{*stmt, false}).first;
  }
  it->second.in_use = true;
  return Statement(it->second.stmt, this, &it->second.in_use);
}

Status Connection::Run(std::string_view sql) {
  if (pg_ != nullptr) return Exec(sql, sql);
  auto stmt = Prepare(sql);
  if (!stmt) return std::move(stmt).error();
  return stmt->Run();
}

Status Connection::Exec(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  if (pg_ != nullptr) {
    // A simple-query string (it may hold several statements) cannot join a
    // pipeline: a pending BEGIN goes alone before it.
    auto done = PgCall([&](PGconn* c) { return PQsendQuery(c, text.c_str()); }, what, false);
    if (!done) return std::move(done).error();
    PQclear(*done);
    return Ok();
  }
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Ok();
  std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return MakeError("store.query_failed", std::string(what) + ": " + detail + Where(path_));
}

int Connection::Changes() const { return pg_ != nullptr ? pg_changes_ : sqlite3_changes(db_); }

Status Connection::Begin() { return Run(pg_ != nullptr ? "BEGIN" : "BEGIN IMMEDIATE"); }

bool Connection::InTransaction() const {
  if (pg_ != nullptr) {
    const auto status = PQtransactionStatus(pg_);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR;
  }
  return sqlite3_get_autocommit(db_) == 0;
}

bool Connection::TransactionFailed() const {
  return pg_ != nullptr && PQtransactionStatus(pg_) == PQTRANS_INERROR;
}

Error Connection::Failure(std::string_view what) const {
  if (pg_ != nullptr) {
    return MakeError("store.query_failed",
                     std::string(what) + ": " + PQerrorMessage(pg_) + Where(path_));
  }
  return MakeError("store.query_failed",
                   std::string(what) + ": " + sqlite3_errmsg(db_) + Where(path_));
}

Result<int> Database::Change(std::string_view sql, std::int64_t parameter) {
  return Write([&](Connection& c) -> Result<int> {
    auto q = c.Prepare(sql);
    if (!q) return std::move(q).error();
    q->BindInt(1, parameter);
    if (auto st = q->Run(); !st) return std::move(st).error();
    return c.Changes();
  });
}

Result<int> Database::Change(std::string_view sql, std::string_view text, std::int64_t parameter) {
  return Write([&](Connection& c) -> Result<int> {
    auto q = c.Prepare(sql);
    if (!q) return std::move(q).error();
    q->BindText(1, text).BindInt(2, parameter);
    if (auto st = q->Run(); !st) return std::move(st).error();
    return c.Changes();
  });
}

// ---- Database -------------------------------------------------------------

Database::~Database() {
  std::unique_ptr<std::thread> thread;
  {
    std::lock_guard lock(background_mutex_);
    stopping_ = true;
    thread = std::move(thread_);
  }
  background_cv_.notify_all();
  if (static_cast<int>(::getpid()) != pid_) {
    // A forked child has no such thread and must not write the parent's rows.
    (void)thread.release();
    return;
  }
  if (thread) thread->join();
  (void)FlushDeferred();
}

int Database::KnownSchemaVersion() { return Migrations().back().version; }

namespace {

// Switching a file to WAL takes an exclusive lock, and SQLite answers
// SQLITE_BUSY at once, without the busy handler, when another process holds
// it (opening the same new file, or running WAL recovery). So the switch is
// retried here, within the same timeout the busy handler gives other locks.
Result<std::string> SwitchToWal(Connection& c, sqlite3* db) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(kBusyTimeoutMs);
  for (;;) {
    sqlite3_stmt* stmt = nullptr;
    int rc = sqlite3_prepare_v2(db, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
    std::string journal;
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        const auto* text = sqlite3_column_text(stmt, 0);
        if (text != nullptr) journal = reinterpret_cast<const char*>(text);
        rc = SQLITE_OK;
      } else if (rc == SQLITE_DONE) {
        rc = SQLITE_OK;
      }
    }
    sqlite3_finalize(stmt);
    if (rc == SQLITE_OK) return journal;
    if ((rc & 0xff) != SQLITE_BUSY || std::chrono::steady_clock::now() >= deadline) {
      return MakeError("store.open_failed", "\"PRAGMA journal_mode=WAL\": " +
                                                std::string(sqlite3_errstr(rc)) + Where(c.path()));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

Status Configure(Connection& c, sqlite3* db) {
  sqlite3_extended_result_codes(db, 1);
  // Before anything that takes a lock (switching to WAL does), so that two
  // processes opening the file together wait rather than fail.
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto journal = SwitchToWal(c, db);
  if (!journal) return std::move(journal).error();
  // An in-memory database reports "memory"; WAL does not apply there.
  if (*journal != "wal" && *journal != "memory") {
    return MakeError("store.open_failed", "cannot switch to WAL journal mode, SQLite kept \"" +
                                              *journal + "\"" + Where(c.path()));
  }
  // NORMAL is durable across application crashes in WAL mode; only a power
  // loss may lose the last commits, which costs at most a repeated sign-in.
  return c.Exec("PRAGMA foreign_keys=ON; PRAGMA synchronous=NORMAL", "configuring connection");
}

Error MigrationError(const Migration& m, const Error& cause, const std::string& path) {
  return MakeError("store.migration_failed", "migration " + std::to_string(m.version) + " (" +
                                                 m.name + ") failed: " + cause.message +
                                                 " (database " + path + ")");
}

// Each migration runs in its own BEGIN IMMEDIATE transaction and re-reads
// the recorded version inside it: when several processes open a fresh file
// at once, exactly one applies each step and the others see it done.
Status Migrate(Connection& c) {
  auto rollback = [&c] { (void)c.Exec("ROLLBACK", "rolling back"); };
  if (auto st =
          c.Exec("BEGIN IMMEDIATE;"
                 "CREATE TABLE IF NOT EXISTS schema_migrations ("
                 "  version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL);",
                 "creating schema_migrations");
      !st) {
    rollback();
    return MakeError("store.migration_failed", st.error().message);
  }
  auto current = RecordedVersion(c);
  if (!current) {
    rollback();
    return MakeError("store.migration_failed", current.error().message);
  }
  if (auto st = c.Exec("COMMIT", "committing schema_migrations"); !st) {
    rollback();
    return MakeError("store.migration_failed", st.error().message);
  }
  if (*current > Database::KnownSchemaVersion()) {
    return MakeError("store.schema_too_new",
                     "database schema version " + std::to_string(*current) +
                         " is newer than this plugin knows (" +
                         std::to_string(Database::KnownSchemaVersion()) +
                         "); it was written by a newer visitor-sso, upgrade the plugin or use "
                         "another database file" +
                         Where(c.path()));
  }

  for (const Migration& m : Migrations()) {
    if (m.version <= *current) continue;
    if (auto st = c.Exec("BEGIN IMMEDIATE", "starting migration"); !st) {
      return MigrationError(m, st.error(), c.path());
    }
    auto applied = [&]() -> Status {
      auto now_version = RecordedVersion(c);
      if (!now_version) return std::move(now_version).error();
      if (*now_version >= m.version) return Ok();  // another process was faster
      if (auto st = c.Exec(m.sql, "running migration"); !st) return st;
      auto record = c.Prepare(
          "INSERT INTO schema_migrations (version, name, applied_at) "
          "VALUES (?1, ?2, CAST(strftime('%s', 'now') AS INTEGER))");
      if (!record) return std::move(record).error();
      record->BindInt(1, m.version).BindText(2, m.name);
      return record->Run();
    }();
    if (applied) applied = c.Exec("COMMIT", "committing migration");
    if (!applied) {
      rollback();
      return MigrationError(m, applied.error(), c.path());
    }
  }
  return Ok();
}

// The database holds sessions, customer IDs and the audit log: a new file
// is created here with mode 0600 before SQLite opens it, and SQLite gives
// its -wal and -shm files the database file's mode. (Setting the umask
// instead would change it for every thread of the host process.) An
// existing file keeps the mode its owner chose.
Status CreatePrivately(const std::string& path) {
  if (path.empty() || path == ":memory:" || path.starts_with("file:")) return Ok();
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd >= 0) {
    ::close(fd);
    return Ok();
  }
  if (errno == EEXIST) return Ok();
  return MakeError("store.open_failed", "cannot create " + path + ": " + std::strerror(errno));
}

}  // namespace

namespace {

// SQLite's memory statistics take a process-wide mutex around every
// allocation and free (a session read makes several; about 5 % of a routing
// that reads the session, measured with perf). Nothing here reads them, so
// they are off unless SQLite is already initialized: then sqlite3_config
// refuses (SQLITE_MISUSE), and the host's own use of SQLite keeps its
// setting. Once, before this process's first connection.
void TurnOffMemoryStatistics() {
  static const int once = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)once;
}

}  // namespace

Result<std::unique_ptr<Connection>> Connection::Open(const std::string& path) {
  TurnOffMemoryStatistics();
  sqlite3* raw = nullptr;
  // NOMUTEX: a Database lends each connection to one thread at a time.
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    const std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
    sqlite3_close_v2(raw);
    return MakeError("store.open_failed", "cannot open " + path + ": " + message);
  }
  auto connection = std::unique_ptr<Connection>(new Connection(raw, path));
  if (auto st = Configure(*connection, raw); !st) {
    return MakeError("store.open_failed", "cannot open: " + st.error().message);
  }
  // Replaces SQLite's auto-checkpoint (which would run inside COMMIT, on the
  // request's thread, with the writer mutex held): the hook only records the
  // WAL's size; after the commit, MaybeCheckpoint hands the work to the
  // Database's thread.
  sqlite3_wal_hook(
      raw,
      [](void* self, sqlite3*, const char*, int pages) {
        static_cast<Connection*>(self)->wal_pages_ = pages;
        return SQLITE_OK;
      },
      connection.get());
  return connection;
}

Result<std::shared_ptr<Database>> Database::Open(const std::string& path,
                                                 const DatabaseOptions& options) {
  if (IsPostgresTarget(path)) {
    try {
      auto connection = Connection::OpenPostgres(path, options);
      if (!connection) return std::move(connection).error();
      if (auto st = MigratePostgres(**connection); !st) return std::move(st).error();
      auto db = std::shared_ptr<Database>(new Database(path, options));
      db->GiveBack(std::move(*connection));
      return db;
    } catch (const std::exception& e) {
      return MakeError("store.open_failed", "cannot open " + RedactTarget(path) + ": " + e.what());
    }
  }
  try {
    if (auto created = CreatePrivately(path); !created) return std::move(created).error();
    auto connection = Connection::Open(path);
    if (!connection) return std::move(connection).error();
    if (auto st = Migrate(**connection); !st) return std::move(st).error();
    auto db = std::shared_ptr<Database>(new Database(path, options));
    db->GiveBack(std::move(*connection));
    return db;
  } catch (const std::exception& e) {
    return MakeError("store.open_failed", "cannot open " + path + ": " + e.what());
  }
}

namespace {

// Every connection to an in-memory database is a database of its own, so
// the pool keeps exactly one and callers take turns.
bool InMemory(const std::string& path) {
  return path.empty() || path == ":memory:" ||
         (path.starts_with("file:") &&
          (path.find("mode=memory") != std::string::npos || path.starts_with("file::memory:")));
}

// Idle connections kept for reuse; more are opened while more threads use
// the database at once, and closed again when they come back beyond this.
constexpr std::size_t kMaxIdle = 8;

}  // namespace

Database::Database(std::string target, DatabaseOptions options)
    : target_(std::move(target)),
      path_(RedactTarget(target_)),
      engine_(IsPostgresTarget(target_) ? Engine::kPostgres : Engine::kSqlite),
      options_(std::move(options)),
      pid_(static_cast<int>(::getpid())),
      single_(engine_ == Engine::kSqlite && InMemory(target_)) {
  idle_.reserve(kMaxIdle);
}

Result<std::unique_ptr<Connection>> Database::Borrow() {
  for (;;) {
    std::unique_ptr<Connection> connection;
    {
      std::unique_lock lock(pool_mutex_);
      if (single_) pool_ready_.wait(lock, [&] { return !idle_.empty(); });
      if (idle_.empty()) break;
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
    // A PostgreSQL connection the server closed while it was idle (a
    // restart) is dropped here, so the caller gets a fresh one.
    if (connection->Usable()) return connection;
  }
  if (engine_ == Engine::kPostgres) return Connection::OpenPostgres(target_, options_);
  return Connection::Open(target_);
}

void Database::GiveBack(std::unique_ptr<Connection> connection) noexcept {
  if (!connection) return;
  // Lost or in an unknown state (a missed deadline): closed, not reused.
  if (connection->engine() == Engine::kPostgres && !connection->Usable()) return;
  {
    std::lock_guard lock(pool_mutex_);
    if (idle_.size() < kMaxIdle) {
      // Cannot throw: capacity for kMaxIdle is reserved at construction.
      idle_.push_back(std::move(connection));
    }
  }
  pool_ready_.notify_one();
  // A connection beyond kMaxIdle is closed here, outside the lock.
}

int Database::SchemaVersion() {
  auto version = Read([](Connection& c) { return RecordedVersion(c); });
  return version ? *version : -1;
}

namespace {

std::int64_t NanosSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() -
                                                              start)
      .count();
}

}  // namespace

Status Database::RunWrite(WriteBody& body) {
  writes_.fetch_add(1);
  if (engine_ == Engine::kPostgres) return RunAlone(body);
  PendingWrite me{&body};
  std::unique_lock lock(queue_mutex_);
  queue_.push_back(&me);
  for (;;) {
    // The turn goes to the Database's thread first when it asked for it
    // (turn_wanted_, see CheckpointHoldingWriters).
    if ((leading_ || turn_wanted_) && !me.done) {
      const auto asked = std::chrono::steady_clock::now();
      queue_cv_.wait(lock, [&] { return me.done || (!leading_ && !turn_wanted_); });
      write_wait_ns_.fetch_add(NanosSince(asked));
    }
    if (me.done) return std::move(me.outcome);
    // No group is running: this writer leads the next one, with every
    // write queued so far (up to kMaxGroup, in arrival order).
    leading_ = true;
    const std::size_t n = std::min(queue_.size(), kMaxGroup);
    std::vector<PendingWrite*> group(queue_.begin(),
                                     queue_.begin() + static_cast<std::ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
    lock.unlock();
    RunGroup(group);
    lock.lock();
    for (PendingWrite* w : group) w->done = true;
    leading_ = false;
    queue_cv_.notify_all();
  }
}

void Database::RunGroup(const std::vector<PendingWrite*>& group) noexcept {
  const auto started = std::chrono::steady_clock::now();
  // Every write not yet failed on its own gets `error` (nothing of the
  // group was committed).
  const auto fail_all = [&](const Error& error) {
    for (PendingWrite* w : group) {
      if (w->outcome) w->outcome = error;
    }
  };
  try {
    auto borrowed = Borrow();
    if (!borrowed) return fail_all(borrowed.error());
    Lease lease(*this, std::move(*borrowed));
    Connection& c = lease.connection();
    const auto abort = [&](const Error& error) {
      // After some errors (e.g. SQLITE_FULL) SQLite has already rolled back.
      if (c.InTransaction()) (void)c.Run("ROLLBACK");
      fail_all(error);
    };
    if (auto begun = c.Begin(); !begun) {
      return fail_all(
          MakeError(begun.error().code, "starting transaction: " + begun.error().message));
    }
    transactions_.fetch_add(1);
    // A lone write needs no savepoint: its error rolls the transaction back.
    const bool savepoints = group.size() > 1;
    for (PendingWrite* w : group) {
      if (savepoints) {
        if (auto st = c.Run("SAVEPOINT write"); !st) return abort(st.error());
      }
      Status st = [&]() -> Status {
        try {
          return (*w->body)(c);
        } catch (const std::exception& e) {
          return Unexpected(e);
        } catch (...) {
          // Runs on the group leader's thread: nothing may escape.
          return MakeError("store.query_failed", "unexpected failure" + Where(path_));
        }
      }();
      if (!c.InTransaction()) {
        // SQLite ended the whole transaction (I/O error, disk full), or the
        // PostgreSQL connection was lost: the writes before this one are
        // gone too.
        if (st) {
          st = MakeError(
              c.engine() == Engine::kPostgres ? "store.unavailable" : "store.query_failed",
              "the transaction was rolled back by the database" + Where(path_));
        }
        w->outcome = st;
        return fail_all(st.error());
      }
      if (!st) {
        w->outcome = std::move(st);
        if (!savepoints) return abort(w->outcome.error());
        if (auto undone = c.Run("ROLLBACK TO write"); !undone) return abort(undone.error());
      }
      if (savepoints) {
        if (auto released = c.Run("RELEASE write"); !released) return abort(released.error());
      }
    }
    if (auto committed = c.Run("COMMIT"); !committed) {
      return abort(MakeError(committed.error().code,
                             "committing transaction: " + committed.error().message));
    }
    write_hold_ns_.fetch_add(NanosSince(started));
    MaybeCheckpoint(c);
  } catch (const std::exception& e) {
    fail_all(Unexpected(e));
  } catch (...) {
    fail_all(MakeError("store.query_failed", "unexpected failure" + Where(path_)));
  }
}

Status Database::RunAlone(WriteBody& body) noexcept {
  const auto started = std::chrono::steady_clock::now();
  try {
    auto borrowed = Borrow();
    if (!borrowed) return std::move(borrowed).error();
    Lease lease(*this, std::move(*borrowed));
    Connection& c = lease.connection();
    // BEGIN leaves with the body's first statement (see PgCall); a body
    // that runs none sends nothing at all.
    c.pg_begin_pending_ = true;
    Status st = [&]() -> Status {
      try {
        return body(c);
      } catch (const std::exception& e) {
        return Unexpected(e);
      } catch (...) {
        return MakeError("store.query_failed", "unexpected failure" + Where(path_));
      }
    }();
    if (c.pg_begin_pending_) {
      c.pg_begin_pending_ = false;
      return st;
    }
    transactions_.fetch_add(1);
    if (!c.InTransaction()) {
      // The connection was lost (or the server ended the transaction):
      // nothing of it was committed. The lease drops the connection.
      if (st) {
        st = MakeError("store.unavailable",
                       "the transaction was rolled back by the database" + Where(path_));
      }
      return st;
    }
    if (st && c.TransactionFailed()) {
      // The body went on after a failed statement: COMMIT would only roll
      // back, so the write is reported failed instead of done.
      st = MakeError("store.query_failed",
                     "a statement of the transaction failed, nothing was committed" + Where(path_));
    }
    if (!st) {
      // A failed ROLLBACK leaves the connection in a transaction: the lease
      // then closes it instead of lending it again.
      (void)c.Run("ROLLBACK");
      return st;
    }
    if (auto committed = c.Run("COMMIT"); !committed) {
      if (c.InTransaction()) (void)c.Run("ROLLBACK");
      return MakeError(committed.error().code,
                       "committing transaction: " + committed.error().message);
    }
    write_hold_ns_.fetch_add(NanosSince(started));
    return Ok();
  } catch (const std::exception& e) {
    return Unexpected(e);
  } catch (...) {
    return MakeError("store.query_failed", "unexpected failure" + Where(path_));
  }
}

void Database::MaybeCheckpoint(Connection& connection) noexcept {
  if (connection.engine() != Engine::kSqlite) return;  // a WAL is SQLite's
  const int pages = connection.wal_pages_;
  wal_frames_.store(pages, std::memory_order_relaxed);
  if (pages < kCheckpointFrames) return;
  try {
    {
      std::lock_guard lock(background_mutex_);
      // Once per kCheckpointFrames of growth: the WAL keeps its size until
      // a writer restarts it after a complete checkpoint.
      if (pages < last_seen_pages_) last_requested_pages_ = 0;  // restarted
      last_seen_pages_ = pages;
      if (stopping_ || pages < last_requested_pages_ + kCheckpointFrames) return;
      last_requested_pages_ = pages;
      checkpoint_wanted_ = true;
      StartThreadLocked();
    }
    background_cv_.notify_one();
  } catch (...) {
    // No thread: checkpoint here, as SQLite itself would.
    (void)sqlite3_wal_checkpoint_v2(connection.db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr,
                                    nullptr);
  }
}

void Database::Defer(std::function<Status(Connection&)> write) {
  bool wake = false;
  try {
    std::lock_guard lock(background_mutex_);
    if (deferred_.empty()) {
      deferred_deadline_ =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(kDeferredMilliseconds);
      wake = true;
    }
    deferred_.push_back(std::move(write));
    wake = wake || deferred_.size() >= kDeferredBatch;
    StartThreadLocked();
  } catch (...) {
    // No thread (or no memory): commit what is queued now.
    (void)FlushDeferred();
    return;
  }
  if (wake) background_cv_.notify_one();
}

Status Database::FlushDeferred() {
  std::lock_guard order(flush_mutex_);
  std::vector<std::function<Status(Connection&)>> batch;
  {
    std::lock_guard lock(background_mutex_);
    batch.swap(deferred_);
  }
  // In transactions of kMaxGroup writes: requests' writes go in between
  // (or join them) instead of waiting for the whole batch.
  Status outcome = Ok();
  for (std::size_t first = 0; first < batch.size(); first += kMaxGroup) {
    const std::size_t last = std::min(batch.size(), first + kMaxGroup);
    Status st = Write([&](Connection& c) -> Status {
      for (std::size_t i = first; i < last; ++i) {
        if (auto written = batch[i](c); !written) return written;
      }
      return Ok();
    });
    if (!st) outcome = std::move(st);
  }
  return outcome;
}

void Database::StartThreadLocked() {
  if (thread_ || stopping_) return;
  thread_ = std::make_unique<std::thread>([this] { BackgroundLoop(); });
}

namespace {

std::int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace

void Database::BackgroundLoop() {
  std::unique_ptr<Connection> checkpointer;
  std::unique_lock lock(background_mutex_);
  for (;;) {
    // At shutdown the destructor commits what is left, and the last
    // connection to close checkpoints by itself.
    if (stopping_) break;
    const bool flush =
        !deferred_.empty() && (deferred_.size() >= kDeferredBatch ||
                               std::chrono::steady_clock::now() >= deferred_deadline_);
    const bool checkpoint = checkpoint_wanted_;
    if (!flush && !checkpoint) {
      if (deferred_.empty()) {
        background_cv_.wait(lock);
      } else {
        background_cv_.wait_until(lock, deferred_deadline_);
      }
      continue;
    }
    checkpoint_wanted_ = false;
    lock.unlock();
    const std::int64_t start = ThreadCpuNs();
    if (flush) {
      // A failed batch is lost (see Defer); the next one starts afresh.
      (void)FlushDeferred();
      batches_.fetch_add(1);
    }
    if (checkpoint) {
      if (!checkpointer) {
        if (auto opened = Connection::Open(target_)) checkpointer = std::move(*opened);
      }
      if (checkpointer) {
        // PASSIVE: copies what it can without waiting for readers or
        // writers; what is left goes with the next checkpoint.
        int log = -1;     // frames in the WAL
        int copied = -1;  // of them, copied into the database file
        const int rc = sqlite3_wal_checkpoint_v2(checkpointer->db_, nullptr,
                                                 SQLITE_CHECKPOINT_PASSIVE, &log, &copied);
        checkpoints_.fetch_add(1);
        // `log` and `copied` describe the WAL as the checkpoint found it:
        // copied == log does not mean that the WAL can start over, since
        // writers append while it runs (measured: every checkpoint of a
        // continuous stream of commits copied all it found, and the WAL
        // never restarted). The WAL's size now is the last commit's
        // (wal_frames_; below `log` once the WAL has started over). Past
        // the cap (see kWalRestartFrames), the frames appended meanwhile
        // are copied with the writers held off. A checkpoint that found a
        // WAL just started over (asked for before the restart) needs none.
        const int now = wal_frames_.load(std::memory_order_relaxed);
        if (rc == SQLITE_OK && log >= kCheckpointFrames && now >= kWalRestartFrames && now >= log) {
          CheckpointHoldingWriters(*checkpointer);
        }
      }
    }
    background_cpu_ns_.fetch_add(ThreadCpuNs() - start);
    lock.lock();
  }
  lock.unlock();
  checkpointer.reset();
}

void Database::CheckpointHoldingWriters(Connection& checkpointer) noexcept {
  {
    // Not while the Database closes: the destructor waits for this thread.
    std::lock_guard lock(background_mutex_);
    if (stopping_) return;
  }
  {
    std::unique_lock lock(queue_mutex_);
    // The turn as a group leader takes it: after the running group (if
    // any); writers arriving meanwhile queue (turn_wanted_) and then commit
    // together as the next group.
    turn_wanted_ = true;
    queue_cv_.wait(lock, [&] { return !leading_; });
    leading_ = true;
    turn_wanted_ = false;
  }
  // Outside queue_mutex_: writers only queue. A checkpoint cannot run inside
  // a transaction of its own connection, hence no Write body. PASSIVE still
  // waits for nobody (sqlite3_wal_checkpoint_v2): with no writer of this
  // process appending it copies every frame, unless another process writes
  // or a reader still needs an older snapshot; then the WAL goes on as
  // before, and the next checkpoint past the cap tries again. Why not
  // RESTART: it would wait (busy handler, up to 5 s) for readers and for
  // other processes' writers, with this process's writers held all along;
  // after a complete PASSIVE checkpoint the next writer restarts the WAL by
  // itself (it begins on a WAL whose every frame is copied).
  const auto started = std::chrono::steady_clock::now();
  int log = -1;
  int copied = -1;
  const int rc = sqlite3_wal_checkpoint_v2(checkpointer.db_, nullptr, SQLITE_CHECKPOINT_PASSIVE,
                                           &log, &copied);
  const std::int64_t held = NanosSince(started);
  {
    std::lock_guard lock(queue_mutex_);
    leading_ = false;
  }
  queue_cv_.notify_all();
  checkpoints_.fetch_add(1);
  wal_restart_checkpoints_.fetch_add(1);
  wal_restart_hold_ns_.fetch_add(held);
  if (rc == SQLITE_OK && copied == log) wal_restart_complete_.fetch_add(1);
}

Database::Stats Database::stats() const {
  return Stats{.checkpoints = checkpoints_.load(),
               .batches = batches_.load(),
               .background_cpu_ns = background_cpu_ns_.load(),
               .writes = writes_.load(),
               .transactions = transactions_.load(),
               .write_wait_ns = write_wait_ns_.load(),
               .write_hold_ns = write_hold_ns_.load(),
               .wal_restart_checkpoints = wal_restart_checkpoints_.load(),
               .wal_restart_complete = wal_restart_complete_.load(),
               .wal_restart_hold_ns = wal_restart_hold_ns_.load()};
}

Error Database::Unexpected(const std::exception& e) const {
  return MakeError("store.query_failed",
                   std::string("unexpected failure: ") + e.what() + Where(path()));
}

}  // namespace vsso::store
