// The schema's history: each migration moves the database from version - 1 to version.
#pragma once

#include <span>

namespace rapporteur::store::internal {

struct Migration {
  int version;
  const char* description;
  const char* sql;
};

// All migrations in ascending version order, starting at 1. Version numbers are assigned per
// issue, so a branch may skip numbers another branch fills in before they merge (issue 16
// adds 17 after 11).
std::span<const Migration> migrations();

}  // namespace rapporteur::store::internal
