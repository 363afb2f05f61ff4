// The schema as an ordered list of numbered migrations. A migration is never
// edited once released: schema changes are new entries at the end, so every
// database can be brought forward from whatever version it recorded.
#pragma once

#include <span>

namespace vsso::store {

struct Migration {
  int version;       ///< 1, 2, 3, ... without gaps.
  const char* name;  ///< Recorded in schema_migrations for the admin.
  const char* sql;   ///< One or more statements, run inside one transaction.
};

std::span<const Migration> Migrations();

}  // namespace vsso::store
