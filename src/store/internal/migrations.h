// The schema's history: each migration moves the database from version - 1 to version.
#pragma once

#include <span>

namespace rapporteur::store::internal {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// All migrations in ascending version order, starting at 1 with no gaps.
std::span<const Migration> migrations();

}  // namespace rapporteur::store::internal
