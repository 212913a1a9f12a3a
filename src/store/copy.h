// Copying a whole instance's database from one store to another, either backend to either:
// `rapporteur migrate --to` (SQLite to PostgreSQL and back), `backup` (a consistent SQLite
// snapshot of a serving instance) and `restore`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace rapporteur::store {

// What was copied and how it was checked, per table in copy order.
struct CopiedTable {
  std::string name;
  std::int64_t rows = 0;
  // SHA-256 over the table's rows in key order, each value as the store gives it back (person
  // keys as text, whatever their stored form); the same on both sides, or the copy failed.
  std::string sha256;
};

struct CopyReport {
  int schema_version = 0;
  std::vector<CopiedTable> tables;
};

// Copies every row of the store at `from` into the store at `to` (each an SQLite path or a
// PostgreSQL URL, as open_store takes them; `to` is created and migrated when new). The
// source is read in one snapshot, so it may keep serving; the destination is written in one
// transaction, so a failed copy leaves it as it was. Afterwards both are read back and their
// row counts and checksums compared per table.
// Fails with kConflict when `to` already holds data, kInvalidArgument when `from` and `to`
// are the same or `from` has no instance, kStorage when either cannot be read or written, a
// table or column exists that the copy does not know (a newer migration), or a check
// differs (naming the table). Error messages never show a URL's password.
Result<CopyReport> copy_store(const std::string& from, const std::string& to);

}  // namespace rapporteur::store
