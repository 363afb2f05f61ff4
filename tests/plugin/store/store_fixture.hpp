// A fresh temp directory per test and raw SQLite access to check what the
// repositories really wrote (not only what they read back). EngineTest runs
// the same test on both engines: a fresh SQLite file, or a fresh PostgreSQL
// database created on the server named by VSSO_TEST_POSTGRES_URI (and
// dropped afterwards).
#pragma once

#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <random>
#include <string>

#include "store/database.hpp"
#include "support/postgres_uri.hpp"

namespace vsso::store {

class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/vsso-store-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    path_ = (dir_ / "visitor-sso.db").string();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::shared_ptr<Database> OpenDb() {
    auto db = Database::Open(path_);
    if (!db) ADD_FAILURE() << db.error().code << ": " << db.error().message;
    return db ? *db : nullptr;
  }

  /// First column of the first row of `sql` through a separate raw
  /// connection, as an integer; a query without a row fails the test.
  long long Scalar(const std::string& sql) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    sqlite3_stmt* stmt = nullptr;
    long long value = -1;
    if (sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr) == SQLITE_OK &&
        sqlite3_step(stmt) == SQLITE_ROW) {
      value = sqlite3_column_int64(stmt, 0);
    } else {
      ADD_FAILURE() << "query failed: " << sql << ": " << sqlite3_errmsg(raw);
    }
    sqlite3_finalize(stmt);
    sqlite3_close(raw);
    return value;
  }

  /// Runs `sql` through a separate raw connection.
  void RawExec(const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path_.c_str(), &raw), SQLITE_OK);
    char* error = nullptr;
    const int rc = sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << (error != nullptr ? error : "");
    sqlite3_free(error);
    sqlite3_close(raw);
  }

  std::filesystem::path dir_;
  std::string path_;
};

/// The server the PostgreSQL variants use; empty: they are skipped.
inline std::string TestPostgresUri() {
  const char* uri = std::getenv("VSSO_TEST_POSTGRES_URI");
  return uri != nullptr ? uri : "";
}

using testing::WithDatabase;

/// Runs `sql` on `uri` through a separate raw libpq connection; the first
/// column of the first row as an integer (-1 and a failure when none).
inline long long PgScalar(const std::string& uri, const std::string& sql, bool want_row = true) {
  PGconn* raw = PQconnectdb(uri.c_str());
  long long value = -1;
  if (PQstatus(raw) != CONNECTION_OK) {
    ADD_FAILURE() << "cannot connect to " << uri << ": " << PQerrorMessage(raw);
  } else {
    PGresult* r = PQexec(raw, sql.c_str());
    const auto status = PQresultStatus(r);
    if (status == PGRES_TUPLES_OK && PQntuples(r) > 0) {
      value = std::atoll(PQgetvalue(r, 0, 0));
    } else if (status != PGRES_COMMAND_OK || want_row) {
      ADD_FAILURE() << "query failed: " << sql << ": " << PQresultErrorMessage(r);
    }
    PQclear(r);
  }
  PQfinish(raw);
  return value;
}

inline std::string EngineName(const ::testing::TestParamInfo<Engine>& info) {
  return info.param == Engine::kPostgres ? "Postgres" : "Sqlite";
}

class EngineTest : public StoreTest, public ::testing::WithParamInterface<Engine> {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    target_ = path_;
    if (GetParam() != Engine::kPostgres) return;
    const std::string server = TestPostgresUri();
    if (server.empty()) {
      GTEST_SKIP() << "VSSO_TEST_POSTGRES_URI is not set (scripts/test starts a throwaway "
                      "PostgreSQL and sets it); the PostgreSQL variant does not run";
    }
    static std::atomic<int> counter{0};
    std::random_device random;
    database_ = "vsso_test_" + std::to_string(::getpid()) + "_" + std::to_string(++counter) + "_" +
                std::to_string(random() % 1000000);
    PgScalar(server, "CREATE DATABASE " + database_, false);
    target_ = WithDatabase(server, database_);
  }
  void TearDown() override {
    if (!database_.empty()) {
      PgScalar(TestPostgresUri(), "DROP DATABASE IF EXISTS " + database_ + " WITH (FORCE)", false);
    }
    StoreTest::TearDown();
  }

  std::shared_ptr<Database> OpenDb() {
    auto db = Database::Open(target_);
    if (!db) ADD_FAILURE() << db.error().code << ": " << db.error().message;
    return db ? *db : nullptr;
  }
  long long Scalar(const std::string& sql) {
    if (GetParam() == Engine::kPostgres) return PgScalar(target_, sql);
    return StoreTest::Scalar(sql);
  }
  void RawExec(const std::string& sql) {
    if (GetParam() == Engine::kPostgres) {
      PgScalar(target_, sql, false);
      return;
    }
    StoreTest::RawExec(sql);
  }

  /// The SQLite file, or the PostgreSQL URI of this test's database.
  std::string target_;
  std::string database_;
};

#define VSSO_ON_BOTH_ENGINES(suite)                                                               \
  INSTANTIATE_TEST_SUITE_P(Engines, suite, ::testing::Values(Engine::kSqlite, Engine::kPostgres), \
                           EngineName)

}  // namespace vsso::store
