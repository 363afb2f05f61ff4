// The PostgreSQL side of Connection and Statement (see database.hpp):
// connecting with client-side bounds, `?N` to `$N`, statements prepared
// once per connection, every call awaited with a deadline, and the
// migrations under an advisory lock.
#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>

#include "store/database.hpp"
#include "store/migrations.hpp"

namespace vsso::store {
namespace {

// pg_advisory_lock key held while migrating: any constant other tools
// sharing the database do not use ("vsso" in ASCII).
constexpr const char* kMigrationLock = "1987277679";

constexpr Oid kTextOid = 25;  // pg_type.oid of text

std::string Where(const std::string& shown) { return " (database " + shown + ")"; }

// libpq's messages end in a newline and may hold DETAIL/HINT lines.
std::string OneLine(const char* message) {
  std::string text = message != nullptr ? message : "";
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  for (char& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  return text;
}

// The first words of a statement name it in messages (parameters carry the
// data, so the text never holds visitor data).
std::string Describe(std::string_view sql) {
  std::string text(sql);
  const auto start = text.find_first_not_of(" \n\t");
  text = start == std::string::npos ? std::string() : text.substr(start);
  for (char& c : text) {
    if (c == '\n' || c == '\t') c = ' ';
  }
  if (text.size() > 60) text = text.substr(0, 60) + "...";
  return text;
}

// `?N` (SQLite's numbered parameters) to `$N`, outside quoted literals and
// identifiers; `used` gets every N seen.
std::string Translate(std::string_view sql, std::vector<bool>& used) {
  std::string out;
  out.reserve(sql.size());
  char quote = 0;
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (quote != 0) {
      if (c == quote) quote = 0;
      out += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      out += c;
      continue;
    }
    if (c == '?' && i + 1 < sql.size() && sql[i + 1] >= '0' && sql[i + 1] <= '9') {
      std::size_t j = i + 1;
      int n = 0;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9' && n < 100000) {
        n = n * 10 + (sql[j] - '0');
        ++j;
      }
      if (n > 0) {
        if (used.size() < static_cast<std::size_t>(n)) used.resize(static_cast<std::size_t>(n));
        used[static_cast<std::size_t>(n - 1)] = true;
      }
      out += '$';
      out.append(sql.substr(i + 1, j - i - 1));
      i = j - 1;
      continue;
    }
    out += c;
  }
  return out;
}

// Waits until the socket is ready for `events` or the deadline passes:
// the ready events, 0 at the deadline, -1 on a poll error.
int WaitSocket(int fd, short events, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    if (left <= 0) return 0;
    pollfd p{fd, events, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(std::min<long long>(left, 60'000)));
    if (rc > 0) return p.revents != 0 ? p.revents : events;
    if (rc < 0 && errno != EINTR) return -1;
  }
}

// Server unreachable, down, restarting, overloaded or too slow: a state of
// the database, not of the query (SQLSTATE classes 08 and 53, 57P01-57P03
// shutdown/crash/starting, 57014 statement_timeout).
bool UnavailableState(const char* sqlstate) {
  if (sqlstate == nullptr) return false;
  const std::string_view s(sqlstate);
  return s.starts_with("08") || s.starts_with("53") || s == "57P01" || s == "57P02" ||
         s == "57P03" || s == "57014";
}

Result<int> RecordedVersion(Connection& c) {
  auto stmt = c.Prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!stmt) return std::move(stmt).error();
  auto row = stmt->Step();
  if (!row) return std::move(row).error();
  return static_cast<int>(stmt->Int(0));
}

}  // namespace

bool IsPostgresTarget(std::string_view target) {
  return target.starts_with("postgresql://") || target.starts_with("postgres://");
}

std::string RedactTarget(std::string_view target) {
  if (!IsPostgresTarget(target)) return std::string(target);
  std::string text(target);
  const std::size_t start = text.find("://") + 3;
  const std::size_t end = text.find_first_of("/?", start);
  const std::size_t at = text.rfind('@', end == std::string::npos ? text.size() : end);
  if (at != std::string::npos && at >= start) {
    const std::size_t colon = text.find(':', start);
    if (colon != std::string::npos && colon < at) text.erase(colon, at - colon);
  }
  // ?password=... or &password=... up to the next parameter.
  for (std::size_t p = text.find("password="); p != std::string::npos;
       p = text.find("password=", p + 1)) {
    if (p == 0 || (text[p - 1] != '?' && text[p - 1] != '&')) continue;
    const std::size_t value = p + 9;
    const std::size_t stop = text.find('&', value);
    text.replace(value, (stop == std::string::npos ? text.size() : stop) - value, "***");
  }
  return text;
}

Result<std::unique_ptr<Connection>> Connection::OpenPostgres(const std::string& uri,
                                                             const DatabaseOptions& options) {
  const std::string shown = RedactTarget(uri);
  const auto call_ms = std::max<long long>(1, options.call_timeout.count());
  const std::string connect_timeout =
      std::to_string(std::max<long long>(2, options.connect_timeout.count()));
  const std::string user_timeout = std::to_string(call_ms);
  // Our bounds first: libpq lets later values override earlier ones, and
  // the URI's own parameters (expanded from dbname) are meant to win.
  std::vector<const char*> keys = {
      "connect_timeout",  "keepalives",       "keepalives_idle",  "keepalives_interval",
      "keepalives_count", "tcp_user_timeout", "application_name", "dbname"};
  std::vector<const char*> values = {connect_timeout.c_str(), "1",           "30",       "10", "3",
                                     user_timeout.c_str(),    "visitor-sso", uri.c_str()};
  if (!options.password.empty()) {
    keys.push_back("password");
    values.push_back(options.password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* conn = PQconnectdbParams(keys.data(), values.data(), 1);
  if (conn == nullptr) {
    return MakeError("store.open_failed", "cannot connect to " + shown + ": out of memory");
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    const std::string message = OneLine(PQerrorMessage(conn));
    PQfinish(conn);
    return MakeError("store.unavailable", "cannot connect to PostgreSQL at " + shown + ": " +
                                              message +
                                              " (check that the server is running and "
                                              "reachable, and the role, database and password)");
  }
  // Notices (e.g. "relation already exists, skipping") are not errors and
  // must not reach the host's stderr.
  PQsetNoticeProcessor(
      conn, [](void*, const char*) {}, nullptr);
  // Non-blocking, so that PgCall can wait with a deadline.
  if (PQsetnonblocking(conn, 1) != 0) {
    PQfinish(conn);
    return MakeError("store.open_failed",
                     "cannot make the connection to " + shown + " non-blocking");
  }
  auto connection = std::unique_ptr<Connection>(new Connection(nullptr, shown));
  connection->pg_ = conn;
  connection->pid_ = static_cast<int>(::getpid());
  connection->call_timeout_ = std::chrono::milliseconds(call_ms);
  // statement_timeout: the server gives up too (and frees its locks) when a
  // call's client has stopped waiting.
  if (auto st = connection->Exec("SET statement_timeout = " + std::to_string(call_ms) +
                                     "; SET client_min_messages = warning",
                                 "configuring the session");
      !st) {
    return std::move(st).error();
  }
  return connection;
}

void Connection::ClosePostgres() noexcept {
  if (static_cast<int>(::getpid()) != pid_) {
    // A forked child shares the socket: closing its copy first keeps
    // PQfinish's goodbye from ending the parent's session.
    ::close(PQsocket(pg_));
  }
  PQfinish(pg_);
  pg_ = nullptr;
}

bool Connection::Usable() {
  if (pg_ == nullptr) return true;
  if (broken_ || PQstatus(pg_) != CONNECTION_OK) return false;
  // Reads what the server sent while the connection was idle: after a
  // server restart, its goodbye and end of file mark the connection bad.
  if (PQconsumeInput(pg_) == 0) return false;
  return PQstatus(pg_) == CONNECTION_OK && PQtransactionStatus(pg_) == PQTRANS_IDLE;
}

Error Connection::PgError(std::string_view what, PGresult* result) {
  const char* sqlstate = result != nullptr ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const std::string message =
      OneLine(result != nullptr ? PQresultErrorMessage(result) : PQerrorMessage(pg_));
  const bool lost = PQstatus(pg_) != CONNECTION_OK;
  if (lost) broken_ = true;
  const bool unavailable = lost || UnavailableState(sqlstate);
  return MakeError(unavailable ? "store.unavailable" : "store.query_failed",
                   std::string(what) + ": " + message + Where(path_));
}

Result<PGresult*> Connection::PgCall(const std::function<int(PGconn*)>& send, std::string_view what,
                                     bool pipelinable) {
  const auto lost = [&](const std::string& reason) {
    broken_ = true;
    return MakeError("store.unavailable", std::string(what) + ": " + reason + Where(path_));
  };
  if (broken_ || PQstatus(pg_) != CONNECTION_OK) return lost("the connection was lost");
  // A Write's BEGIN (see Database::RunAlone): sent in one pipeline with this
  // call, saving its own round trip. BEGIN cannot fail on a healthy
  // connection; if it did, its error is the one reported, the call after it
  // is skipped by the server (PGRES_PIPELINE_ABORTED).
  bool pipeline = false;
  if (pg_begin_pending_) {
    pg_begin_pending_ = false;
    if (pipelinable) {
      pipeline = true;
    } else {
      auto begun =
          PgCall([](PGconn* c) { return PQsendQuery(c, "BEGIN"); }, "starting transaction", false);
      if (!begun) return std::move(begun).error();
      PQclear(*begun);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + call_timeout_;
  const auto too_late = [&] {
    // The connection's state is unknown now (a result may still come): it
    // is closed rather than reused.
    return lost("PostgreSQL did not answer within " + std::to_string(call_timeout_.count()) +
                " ms (server stopped, hung or unreachable)");
  };
  const int fd = PQsocket(pg_);
  if (pipeline) {
    if (PQenterPipelineMode(pg_) == 0 ||
        PQsendQueryParams(pg_, "BEGIN", 0, nullptr, nullptr, nullptr, nullptr, 0) == 0 ||
        send(pg_) == 0 || PQpipelineSync(pg_) == 0) {
      // Part of the pipeline may be queued: the connection is not reused.
      Error error = PgError(what, nullptr);
      broken_ = true;
      return error;
    }
  } else if (send(pg_) == 0) {
    return PgError(what, nullptr);
  }
  for (;;) {
    const int flushed = PQflush(pg_);
    if (flushed == 0) break;
    if (flushed < 0) return lost(OneLine(PQerrorMessage(pg_)));
    const int ready = WaitSocket(fd, POLLOUT | POLLIN, deadline);
    if (ready == 0) return too_late();
    if (ready < 0) return lost(std::strerror(errno));
    if ((ready & POLLIN) != 0 && PQconsumeInput(pg_) == 0) {
      return lost(OneLine(PQerrorMessage(pg_)));
    }
  }
  PGresult* last = nullptr;
  // Pipeline: each query's results end in a NULL, the whole in a
  // PGRES_PIPELINE_SYNC; two NULLs in a row would mean nothing is left
  // to come (never before the sync on a healthy connection).
  bool after_null = false;
  for (;;) {
    if (PQconsumeInput(pg_) == 0) {
      PQclear(last);
      return lost(OneLine(PQerrorMessage(pg_)));
    }
    bool finished = false;
    while (PQisBusy(pg_) == 0) {
      PGresult* r = PQgetResult(pg_);
      if (r == nullptr) {
        if (pipeline) {
          if (after_null || PQstatus(pg_) != CONNECTION_OK) {
            PQclear(last);
            return lost("the pipeline ended early: " + OneLine(PQerrorMessage(pg_)));
          }
          after_null = true;
          continue;
        }
        finished = true;
        break;
      }
      after_null = false;
      if (pipeline && PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
        PQclear(r);
        finished = true;
        break;
      }
      if (pipeline && PQresultStatus(r) == PGRES_PIPELINE_ABORTED) {
        PQclear(r);  // skipped after an earlier error, which is reported
        continue;
      }
      // The first error is the one to report; statements after it did not run.
      const bool last_failed = last != nullptr && PQresultStatus(last) != PGRES_COMMAND_OK &&
                               PQresultStatus(last) != PGRES_TUPLES_OK;
      if (last_failed) {
        PQclear(r);
      } else {
        PQclear(last);
        last = r;
      }
    }
    if (finished) break;
    const int ready = WaitSocket(fd, POLLIN, deadline);
    if (ready <= 0) {
      PQclear(last);
      return ready == 0 ? too_late() : lost(std::strerror(errno));
    }
  }
  if (pipeline && PQexitPipelineMode(pg_) == 0) {
    PQclear(last);
    return lost("cannot leave pipeline mode: " + OneLine(PQerrorMessage(pg_)));
  }
  if (last == nullptr) return PgError(what, nullptr);
  const auto status = PQresultStatus(last);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY) {
    return last;
  }
  Error error = PgError(what, last);
  PQclear(last);
  return error;
}

Result<Statement> Connection::PgPrepare(std::string_view sql) {
  auto it = pg_cache_.find(sql);
  if (it == pg_cache_.end()) {
    std::vector<bool> used;
    const std::string text = Translate(sql, used);
    auto prepared = std::make_unique<Statement::PgPrepared>();
    prepared->name = "vsso_" + std::to_string(++next_statement_);
    prepared->sql = std::string(sql);
    prepared->params = static_cast<int>(used.size());
    // A number the text skips (?1 and ?3 without ?2) would leave the
    // server unable to infer its type: it is declared text (and stays NULL).
    std::vector<Oid> types(used.size(), 0);
    for (std::size_t i = 0; i < used.size(); ++i) {
      if (!used[i]) types[i] = kTextOid;
    }
    auto done = PgCall(
        [&](PGconn* c) {
          return PQsendPrepare(c, prepared->name.c_str(), text.c_str(), prepared->params,
                               types.empty() ? nullptr : types.data());
        },
        "preparing \"" + Describe(sql) + "\"");
    if (!done) return std::move(done).error();
    PQclear(*done);
    it = pg_cache_.emplace(std::string(sql), std::move(prepared)).first;
  }
  return Statement(this, it->second.get());
}

Result<bool> Statement::PgStep() {
  if (result_ == nullptr) {
    if (pg_bind_error_) {
      return MakeError("store.query_failed",
                       "binding parameters of \"" + Describe(pg_->sql) +
                           "\": a parameter number out of range, or text holding a NUL byte" +
                           Where(connection_->path()));
    }
    std::vector<const char*> values;
    values.reserve(params_.size());
    for (const auto& p : params_) values.push_back(p ? p->c_str() : nullptr);
    auto done = connection_->PgCall(
        [&](PGconn* c) {
          return PQsendQueryPrepared(c, pg_->name.c_str(), static_cast<int>(values.size()),
                                     values.empty() ? nullptr : values.data(), nullptr, nullptr, 0);
        },
        "\"" + Describe(pg_->sql) + "\"");
    if (!done) return std::move(done).error();
    result_ = *done;
    const char* changed = PQcmdTuples(result_);
    connection_->pg_changes_ = changed[0] != '\0' ? std::atoi(changed) : 0;
    row_ = -1;
  }
  if (row_ + 1 < PQntuples(result_)) {
    ++row_;
    return true;
  }
  return false;
}

Status MigratePostgres(Connection& c) {
  const auto failed = [&](const Error& cause) {
    // The server being away is reported as such, not as a broken migration.
    return cause.code == "store.unavailable" ? cause
                                             : MakeError("store.migration_failed", cause.message);
  };
  // Session-level: held across the migrations' transactions, released below
  // (or with the session if this connection is lost).
  if (auto st = c.Exec(std::string("SELECT pg_advisory_lock(") + kMigrationLock + ")",
                       "waiting for the migration lock");
      !st) {
    return failed(st.error());
  }
  Status outcome = [&]() -> Status {
    if (auto st =
            c.Exec("CREATE TABLE IF NOT EXISTS schema_migrations ("
                   "  version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
                   "creating schema_migrations");
        !st) {
      return failed(st.error());
    }
    auto current = RecordedVersion(c);
    if (!current) return failed(current.error());
    if (*current > Database::KnownSchemaVersion()) {
      return MakeError("store.schema_too_new",
                       "database schema version " + std::to_string(*current) +
                           " is newer than this plugin knows (" +
                           std::to_string(Database::KnownSchemaVersion()) +
                           "); it was written by a newer visitor-sso, upgrade the plugin or use "
                           "another database" +
                           Where(c.path()));
    }
    for (const Migration& m : Migrations()) {
      if (m.version <= *current) continue;
      Status applied = c.Exec("BEGIN", "starting migration");
      if (applied) applied = c.Exec(m.postgres_sql, "running migration");
      if (applied) {
        auto record = c.Prepare(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)");
        if (!record) {
          applied = std::move(record).error();
        } else {
          record->BindInt(1, m.version).BindText(2, m.name).BindInt(3, std::time(nullptr));
          applied = record->Run();
        }
      }
      if (applied) applied = c.Exec("COMMIT", "committing migration");
      if (!applied) {
        (void)c.Exec("ROLLBACK", "rolling back");
        const Error& cause = applied.error();
        if (cause.code == "store.unavailable") return cause;
        return MakeError("store.migration_failed", "migration " + std::to_string(m.version) + " (" +
                                                       m.name + ") failed: " + cause.message);
      }
    }
    return Ok();
  }();
  (void)c.Exec(std::string("SELECT pg_advisory_unlock(") + kMigrationLock + ")",
               "releasing the migration lock");
  return outcome;
}

}  // namespace vsso::store
