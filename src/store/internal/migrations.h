// The schema's history, one list for both backends: each migration moves the database from
// version - 1 to version. The SQL is SQLite's; for PostgreSQL, sql_for() rewrites its few
// type names (the only dialect differences the list needs, kept in one place), and a
// migration whose statements only SQLite needs (a rewrite of data no PostgreSQL database
// ever held) says so with an empty `postgresql` override.
#pragma once

#include <span>
#include <string>

namespace rapporteur::store::internal {

enum class Dialect { kSqlite, kPostgresql };

struct Migration {
  int version;
  const char* description;
  const char* sql;
  // PostgreSQL's statements when they are not sql_for()'s rewrite of `sql`; nullptr for none.
  const char* postgresql = nullptr;
};

// All migrations in ascending version order, starting at 1. Version numbers are assigned per
// issue, so a branch may skip numbers another branch fills in before they merge (issue 16
// adds 17 after 11).
std::span<const Migration> migrations();

// The statements of `migration` in `dialect`. For PostgreSQL: INTEGER PRIMARY KEY becomes a
// 64-bit identity column, INTEGER a 64-bit integer (SQLite's integers are 64-bit) and BLOB
// bytea.
std::string sql_for(const Migration& migration, Dialect dialect);

}  // namespace rapporteur::store::internal
