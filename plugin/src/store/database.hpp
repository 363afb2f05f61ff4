// The plugin's SQLite database: one connection per Database object, opened
// in WAL mode with a 5 s busy timeout, migrated to the newest schema at Open.
//
// Threading: a Database owns exactly one sqlite3 connection guarded by a
// mutex. Repositories reach the connection only through Read()/Write(),
// which hold that mutex for the whole callback, so one Database may be
// shared (std::shared_ptr) by any number of threads. The mutex is not
// recursive: a Read/Write callback must not call back into a repository on
// the same Database. Several processes (or several Database objects) may
// open the same file: Write() starts with BEGIN IMMEDIATE, so writers
// serialise on SQLite's file lock and wait up to the busy timeout instead of
// failing on a stale snapshot.
//
// Error codes: "store.open_failed", "store.migration_failed",
// "store.schema_too_new", "store.query_failed"; messages carry SQLite's
// message and the database path.
#pragma once

#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "common/result.hpp"

struct sqlite3;
struct sqlite3_stmt;

namespace vsso::store {

class Connection;

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
  // `in_use` points into the cache entry; nullptr: the statement is owned
  // (finalized on destruction).
  Statement(sqlite3_stmt* stmt, Connection* connection, bool* in_use)
      : stmt_(stmt), connection_(connection), in_use_(in_use) {}

  sqlite3_stmt* stmt_;
  Connection* connection_;
  bool* in_use_;
  int bind_error_ = 0;  // SQLITE_OK
};

/// The connection as seen inside Database::Read/Write. Not thread-safe by
/// itself: only ever used while the Database mutex is held.
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
  const std::string& path() const { return path_; }

 private:
  friend class Database;
  friend class Statement;
  Connection(sqlite3* db, std::string path) : db_(db), path_(std::move(path)) {}

  sqlite3* db_;
  std::string path_;
  struct Cached {
    sqlite3_stmt* stmt = nullptr;
    bool in_use = false;
  };
  std::unordered_map<std::string, Cached> cache_;
};

class Database {
 public:
  /// Opens or creates the file (a new file with mode 0600, and so its -wal
  /// and -shm files), applies pending migrations (each in its own
  /// transaction, recorded in schema_migrations). Refuses a database written
  /// by a newer build ("store.schema_too_new").
  static Result<std::shared_ptr<Database>> Open(const std::string& path);
  /// The newest schema version this build knows.
  static int KnownSchemaVersion();

  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  ~Database();

  /// Highest version recorded in schema_migrations; -1 if it cannot be read.
  int SchemaVersion();
  const std::string& path() const { return connection_->path(); }

  /// Runs `sql`, a statement with one integer parameter ?1 (the purges:
  /// "DELETE FROM t WHERE expires_at < ?1"), as a write; returns the number
  /// of rows it changed.
  Result<int> Change(std::string_view sql, std::int64_t parameter);

  /// Runs fn(Connection&) -> Result<T> with the connection locked, outside
  /// any explicit transaction (single statements are atomic by themselves).
  template <class Fn>
  auto Read(Fn&& fn) -> std::invoke_result_t<Fn, Connection&> {
    std::lock_guard lock(mutex_);
    try {
      return fn(*connection_);
    } catch (const std::exception& e) {
      return Unexpected(e);
    }
  }

  /// Runs fn(Connection&) -> Result<T> inside BEGIN IMMEDIATE ... COMMIT;
  /// an error result or an exception rolls back.
  template <class Fn>
  auto Write(Fn&& fn) -> std::invoke_result_t<Fn, Connection&> {
    std::lock_guard lock(mutex_);
    if (auto begun = Begin(); !begun) return std::move(begun).error();
    try {
      auto result = fn(*connection_);
      if (!result) {
        Rollback();
        return result;
      }
      if (auto committed = Commit(); !committed) {
        Rollback();
        return std::move(committed).error();
      }
      return result;
    } catch (const std::exception& e) {
      Rollback();
      return Unexpected(e);
    }
  }

 private:
  explicit Database(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}

  Status Begin();
  Status Commit();
  void Rollback();
  Error Unexpected(const std::exception& e) const;

  std::mutex mutex_;
  std::unique_ptr<Connection> connection_;
};

}  // namespace vsso::store
