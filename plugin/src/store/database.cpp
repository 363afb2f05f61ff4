#include "store/database.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

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
      bind_error_(other.bind_error_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (in_use_ == nullptr) {
    sqlite3_finalize(stmt_);
    return;
  }
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  *in_use_ = false;
}

Statement& Statement::BindInt(int index, std::int64_t value) {
  const int rc = sqlite3_bind_int64(stmt_, index, value);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindText(int index, std::string_view value) {
  const int rc =
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Statement& Statement::BindNull(int index) {
  const int rc = sqlite3_bind_null(stmt_, index);
  if (bind_error_ == SQLITE_OK) bind_error_ = rc;
  return *this;
}

Result<bool> Statement::Step() {
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

std::int64_t Statement::Int(int column) const { return sqlite3_column_int64(stmt_, column); }

std::string Statement::Text(int column) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
  if (text == nullptr) return {};
  return std::string(text, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

bool Statement::IsNull(int column) const {
  return sqlite3_column_type(stmt_, column) == SQLITE_NULL;
}

// ---- Connection -----------------------------------------------------------

Connection::~Connection() {
  for (auto& [sql, cached] : cache_) sqlite3_finalize(cached.stmt);
  sqlite3_close_v2(db_);
}

Result<Statement> Connection::Prepare(std::string_view sql) {
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
  std::string key(sql);
  auto it = cache_.find(key);
  if (it != cache_.end() && it->second.in_use) {
    auto stmt = prepare(0);
    if (!stmt) return std::move(stmt).error();
    return Statement(*stmt, this, nullptr);
  }
  if (it == cache_.end()) {
    auto stmt = prepare(SQLITE_PREPARE_PERSISTENT);
    if (!stmt) return std::move(stmt).error();
    it = cache_.emplace(std::move(key), Cached{*stmt, false}).first;
  }
  it->second.in_use = true;
  return Statement(it->second.stmt, this, &it->second.in_use);
}

Status Connection::Exec(std::string_view sql, std::string_view what) {
  const std::string text(sql);
  char* message = nullptr;
  const int rc = sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message);
  if (rc == SQLITE_OK) return Ok();
  std::string detail = message != nullptr ? message : sqlite3_errstr(rc);
  sqlite3_free(message);
  return MakeError("store.query_failed", std::string(what) + ": " + detail + Where(path_));
}

int Connection::Changes() const { return sqlite3_changes(db_); }

Result<int> Database::Change(std::string_view sql, std::int64_t parameter) {
  return Write([&](Connection& c) -> Result<int> {
    auto q = c.Prepare(sql);
    if (!q) return std::move(q).error();
    q->BindInt(1, parameter);
    if (auto st = q->Run(); !st) return std::move(st).error();
    return c.Changes();
  });
}

Error Connection::Failure(std::string_view what) const {
  return MakeError("store.query_failed",
                   std::string(what) + ": " + sqlite3_errmsg(db_) + Where(path_));
}

// ---- Database -------------------------------------------------------------

Database::~Database() = default;

int Database::KnownSchemaVersion() { return Migrations().back().version; }

namespace {

Status Configure(Connection& c, sqlite3* db) {
  sqlite3_extended_result_codes(db, 1);
  // Before anything that takes a lock (switching to WAL does), so that two
  // processes opening the file together wait rather than fail.
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  auto mode = c.Prepare("PRAGMA journal_mode=WAL");
  if (!mode) return std::move(mode).error();
  auto row = mode->Step();
  if (!row) return std::move(row).error();
  const std::string journal = *row ? mode->Text(0) : std::string();
  // An in-memory database reports "memory"; WAL does not apply there.
  if (journal != "wal" && journal != "memory") {
    return MakeError("store.open_failed", "cannot switch to WAL journal mode, SQLite kept \"" +
                                              journal + "\"" + Where(c.path()));
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

Result<std::shared_ptr<Database>> Database::Open(const std::string& path) {
  try {
    if (auto created = CreatePrivately(path); !created) return std::move(created).error();
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(
        path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
        nullptr);
    if (rc != SQLITE_OK) {
      const std::string message = raw != nullptr ? sqlite3_errmsg(raw) : sqlite3_errstr(rc);
      sqlite3_close_v2(raw);
      return MakeError("store.open_failed", "cannot open " + path + ": " + message);
    }
    auto connection = std::unique_ptr<Connection>(new Connection(raw, path));
    if (auto st = Configure(*connection, raw); !st) {
      return MakeError("store.open_failed", "cannot open: " + st.error().message);
    }
    if (auto st = Migrate(*connection); !st) return std::move(st).error();
    return std::shared_ptr<Database>(new Database(std::move(connection)));
  } catch (const std::exception& e) {
    return MakeError("store.open_failed", "cannot open " + path + ": " + e.what());
  }
}

int Database::SchemaVersion() {
  std::lock_guard lock(mutex_);
  auto version = RecordedVersion(*connection_);
  return version ? *version : -1;
}

Status Database::Begin() { return connection_->Exec("BEGIN IMMEDIATE", "starting transaction"); }

Status Database::Commit() { return connection_->Exec("COMMIT", "committing transaction"); }

void Database::Rollback() {
  // After some errors (e.g. SQLITE_FULL) SQLite has already rolled back.
  if (sqlite3_get_autocommit(connection_->db_) == 0) {
    (void)connection_->Exec("ROLLBACK", "rolling back");
  }
}

Error Database::Unexpected(const std::exception& e) const {
  return MakeError("store.query_failed",
                   std::string("unexpected failure: ") + e.what() + Where(path()));
}

}  // namespace vsso::store
