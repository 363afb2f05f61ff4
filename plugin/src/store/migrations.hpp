// The schema as an ordered list of numbered migrations. A migration is never
// edited once released: schema changes are new entries at the end, so every
// database can be brought forward from whatever version it recorded.
#pragma once

#include <span>

#include "common/result.hpp"

namespace vsso::store {

class Connection;

struct Migration {
  int version;       ///< 1, 2, 3, ... without gaps.
  const char* name;  ///< Recorded in schema_migrations for the admin.
  const char* sql;   ///< One or more statements, run inside one transaction.
  /// The same step in PostgreSQL's dialect (BIGINT for times and counters,
  /// an identity column for rowid aliases, no WITHOUT ROWID).
  const char* postgres_sql;
};

std::span<const Migration> Migrations();

/// Brings a PostgreSQL database to the newest version under
/// pg_advisory_lock (see Database::Open). Defined in postgres.cpp.
Status MigratePostgres(Connection& c);

}  // namespace vsso::store
