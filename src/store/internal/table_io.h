// Row-level access to every table of the schema, for copying a whole database between
// backends (copy.cpp). Each backend reads and writes rows as text values in one common form:
// integers in decimal, bytes raw, person keys as text (SQLite's packed form unpacked).
// Internal to store.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace rapporteur::store::internal {

enum class ColumnKind { kInteger, kText, kBytes, kKey };

struct Column {
  const char* name;
  ColumnKind kind;
};

// One table as the latest schema has it. Its first column is its key, and rows are read in
// `order_by`. A `deferred` column refers to rows of the same table, so it is written in a
// second pass (UPDATE by key) once every row exists. `identity`: the key is generated (a
// PostgreSQL identity whose sequence must move past the copied keys).
struct TableSpec {
  const char* name;
  std::vector<Column> columns;
  const char* order_by;
  const char* deferred = nullptr;
  bool identity = false;
};

// Every table with data, parents before children. Tables a later migration adds must be
// added here: copy_store refuses a database with a table or column this list lacks.
const std::vector<TableSpec>& copied_tables();

using Row = std::vector<std::optional<std::string>>;
using RowVisitor = std::function<Result<void>(const Row& row)>;

// A connection that reads or writes whole tables. Not thread-safe.
class TableIo {
 public:
  virtual ~TableIo() = default;
  // Starts a read-only snapshot (all reads see one moment) or the one write transaction.
  virtual Result<void> begin_snapshot() = 0;
  virtual Result<void> begin_write() = 0;
  virtual Result<void> commit() = 0;
  virtual void rollback() = 0;
  // The tables (but the migrations' own record) and each one's columns, as the database has them.
  virtual Result<std::vector<std::string>> table_names() = 0;
  virtual Result<std::vector<std::string>> column_names(const std::string& table) = 0;
  virtual Result<std::int64_t> count_rows(const std::string& table) = 0;
  // Calls `visit` for every row, in the table's order.
  virtual Result<void> read(const TableSpec& table, const RowVisitor& visit) = 0;
  // Inserts `rows` (the deferred column left NULL), then sets the deferred column of rows
  // by their key, then moves the table's key generator past the copied keys.
  virtual Result<void> insert(const TableSpec& table, const std::vector<Row>& rows) = 0;
  virtual Result<void> set_deferred(const TableSpec& table, const std::vector<Row>& key_and_value) = 0;
  virtual Result<void> finish_table(const TableSpec& table) = 0;
};

// Opens the database at `location` for whole-table access; the store must have been opened
// (and so migrated) there first.
Result<std::unique_ptr<TableIo>> open_sqlite_table_io(const std::string& path);
Result<std::unique_ptr<TableIo>> open_postgresql_table_io(const std::string& url);

}  // namespace rapporteur::store::internal
