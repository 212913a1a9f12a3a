// Copying a whole database between stores of either backend, with its check.
#include "store/copy.h"

#include <algorithm>
#include <filesystem>
#include <set>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/files.h"
#include "store/internal/table_io.h"
#include "store/store.h"

namespace rapporteur::store {
namespace {

using internal::Row;
using internal::TableIo;
using internal::TableSpec;

constexpr std::size_t kRowsPerWrite = 2000;

Result<std::unique_ptr<TableIo>> open_table_io(const std::string& location) {
  if (is_postgresql_url(location)) return internal::open_postgresql_table_io(location);
  return internal::open_sqlite_table_io(location);
}

// Refuses a database whose tables or columns differ from the copy's list: a migration added
// something the copy would silently leave behind.
Result<void> check_known(TableIo& io, const std::string& side) {
  const auto& known = internal::copied_tables();
  std::set<std::string> expected;
  for (const TableSpec& table : known) expected.insert(table.name);
  ASSIGN_OR_RETURN(const auto names, io.table_names());
  for (const std::string& name : names) {
    if (!expected.count(name)) {
      return fail(ErrorCode::kStorage, fmt::format("{} has a table '{}' that the copy does not know", side, name));
    }
  }
  for (const TableSpec& table : known) {
    ASSIGN_OR_RETURN(const auto columns, io.column_names(table.name));
    std::vector<std::string> wanted;
    for (const auto& column : table.columns) wanted.emplace_back(column.name);
    if (columns != wanted) {
      return fail(ErrorCode::kStorage, fmt::format("{}: table '{}' has columns ({}), the copy knows ({})", side,
                                                   table.name, fmt::join(columns, ", "), fmt::join(wanted, ", ")));
    }
  }
  return ok();
}

// A row's values in an unambiguous form: each value's length (or -1 for NULL) and bytes.
void append_row(std::string& bytes, const Row& row) {
  for (const auto& value : row) {
    if (!value) {
      bytes += "-1:";
      continue;
    }
    bytes += fmt::format("{}:", value->size());
    bytes += *value;
  }
  bytes += '\n';
}

// The table's rows and checksum, read in key order: SHA-256 chained over slices of rows.
Result<CopiedTable> summarise(TableIo& io, const TableSpec& table) {
  CopiedTable summary{table.name, 0, sha256_hex("")};
  std::string pending;
  RETURN_IF_ERROR(io.read(table, [&](const Row& row) -> Result<void> {
    ++summary.rows;
    append_row(pending, row);
    if (pending.size() > (1 << 20)) {
      summary.sha256 = sha256_hex(summary.sha256 + pending);
      pending.clear();
    }
    return ok();
  }));
  summary.sha256 = sha256_hex(summary.sha256 + pending);
  return summary;
}

Result<void> copy_table(TableIo& source, TableIo& target, const TableSpec& table) {
  std::vector<Row> rows;
  std::vector<Row> deferred;
  std::size_t deferred_column = 0;
  if (table.deferred != nullptr) {
    const auto at = std::find_if(table.columns.begin(), table.columns.end(),
                                 [&](const auto& column) { return std::string_view(column.name) == table.deferred; });
    deferred_column = static_cast<std::size_t>(at - table.columns.begin());
  }
  RETURN_IF_ERROR(source.read(table, [&](const Row& row) -> Result<void> {
    rows.push_back(row);
    if (table.deferred != nullptr && row[deferred_column]) deferred.push_back({row[0], row[deferred_column]});
    if (rows.size() < kRowsPerWrite) return ok();
    RETURN_IF_ERROR(target.insert(table, rows));
    rows.clear();
    return ok();
  }));
  RETURN_IF_ERROR(target.insert(table, rows));
  RETURN_IF_ERROR(target.set_deferred(table, deferred));
  return target.finish_table(table);
}

Result<CopyReport> copy_open(TableIo& source, TableIo& target, int version) {
  RETURN_IF_ERROR(check_known(source, "the source"));
  RETURN_IF_ERROR(check_known(target, "the destination"));
  for (const TableSpec& table : internal::copied_tables()) {
    ASSIGN_OR_RETURN(const std::int64_t rows, target.count_rows(table.name));
    // Migrations write nothing into instance_meta, so any row is an instance's data.
    if (rows > 0) {
      return fail(ErrorCode::kConflict,
                  fmt::format("the destination already holds data (table '{}' has {} rows); copy into an empty "
                              "database",
                              table.name, rows));
    }
  }
  for (const TableSpec& table : internal::copied_tables()) RETURN_IF_ERROR(copy_table(source, target, table));
  CopyReport report{version, {}};
  for (const TableSpec& table : internal::copied_tables()) {
    ASSIGN_OR_RETURN(CopiedTable from, summarise(source, table));
    ASSIGN_OR_RETURN(CopiedTable to, summarise(target, table));
    ASSIGN_OR_RETURN(const std::int64_t counted, target.count_rows(table.name));
    if (from.rows != to.rows || to.rows != counted || from.sha256 != to.sha256) {
      return fail(ErrorCode::kStorage,
                  fmt::format("check of table '{}' failed: {} rows (sha256 {}) read, {} rows (sha256 {}) written",
                              table.name, from.rows, from.sha256, to.rows, to.sha256));
    }
    report.tables.push_back(std::move(from));
  }
  return report;
}

}  // namespace

Result<CopyReport> copy_store(const std::string& from, const std::string& to) {
  if (from == to) return fail(ErrorCode::kInvalidArgument, "the source and the destination are the same database");
  // Opening the stores brings both to this binary's schema; the source must be an instance.
  if (!is_postgresql_url(from) && !std::filesystem::exists(from)) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("no instance at '{}'", from));
  }
  int version = 0;
  {
    ASSIGN_OR_RETURN(const auto source_store, open_store(from, {.empty = StoreOptions::Empty::kRefuse}));
    ASSIGN_OR_RETURN(const auto target_store, open_store(to));
    version = source_store->schema_version();
    if (version != target_store->schema_version()) {
      return fail(ErrorCode::kStorage,
                  fmt::format("schema versions differ: {} and {}", version, target_store->schema_version()));
    }
  }
  ASSIGN_OR_RETURN(const auto source, open_table_io(from));
  ASSIGN_OR_RETURN(const auto target, open_table_io(to));
  RETURN_IF_ERROR(source->begin_snapshot());
  if (auto begun = target->begin_write(); !begun) {
    source->rollback();
    return tl::unexpected(begun.error());
  }
  auto report = copy_open(*source, *target, version);
  source->rollback();  // Read only: nothing to keep.
  if (!report) {
    target->rollback();
    return report;
  }
  RETURN_IF_ERROR(target->commit());
  return report;
}

}  // namespace rapporteur::store
