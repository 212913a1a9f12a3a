// The schema's history: each migration moves the database from version - 1 to version.
#pragma once

#include <span>

namespace rapporteur::store::internal {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// All migrations in ascending version order, starting at 1. Versions 12 and 13 are assigned to
// work in progress elsewhere (issue 17 has 14); until they land the list skips them.
std::span<const Migration> migrations();

}  // namespace rapporteur::store::internal
