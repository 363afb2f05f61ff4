// A fresh temp directory per test and raw SQLite access to check what the
// repositories really wrote (not only what they read back).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/database.hpp"

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

}  // namespace vsso::store
