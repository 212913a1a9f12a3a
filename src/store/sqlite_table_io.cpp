// Whole-table access to an SQLite database, for copying between backends.
#include <cassert>
#include <charconv>

#include <fmt/format.h>

#include "store/internal/sqlite.h"
#include "store/internal/table_io.h"

namespace rapporteur::store::internal {
namespace {

// Integer columns come from a reader as decimal text.
std::int64_t integer_of(const std::string& text) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  assert(error == std::errc() && end == text.data() + text.size() && "integers are read as decimal text");
  (void)end;
  (void)error;
  return value;
}

std::string column_list(const TableSpec& table) {
  std::string list;
  for (const Column& column : table.columns) list += fmt::format("{}{}", list.empty() ? "" : ", ", column.name);
  return list;
}

class SqliteTableIo final : public TableIo {
 public:
  explicit SqliteTableIo(Database db) : db_(std::move(db)) {}

  // A deferred transaction's first read fixes its snapshot (WAL): later commits by the
  // serving instance are not seen.
  Result<void> begin_snapshot() override { return db_.exec("BEGIN"); }
  Result<void> begin_write() override { return db_.exec("BEGIN IMMEDIATE"); }
  Result<void> commit() override { return db_.exec("COMMIT"); }
  void rollback() override { (void)db_.exec("ROLLBACK"); }

  Result<std::vector<std::string>> table_names() override {
    return strings(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "AND name <> 'schema_migrations' ORDER BY name",
        "");
  }

  Result<std::vector<std::string>> column_names(const std::string& table) override {
    return strings("SELECT name FROM pragma_table_info(?1) ORDER BY cid", table);
  }

  Result<std::int64_t> count_rows(const std::string& table) override {
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare(fmt::format("SELECT count(*) FROM {}", table)));
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    (void)row;
    return stmt.column_int(0);
  }

  Result<void> read(const TableSpec& table, const RowVisitor& visit) override {
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare(fmt::format("SELECT {} FROM {} ORDER BY {}", column_list(table),
                                                             table.name, table.order_by)));
    Row row(table.columns.size());
    for (;;) {
      ASSIGN_OR_RETURN(const bool more, stmt.step());
      if (!more) return ok();
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const int index = static_cast<int>(i);
        if (stmt.column_is_null(index)) {
          row[i].reset();
          continue;
        }
        switch (table.columns[i].kind) {
          case ColumnKind::kInteger:
            row[i] = std::to_string(stmt.column_int(index));
            break;
          case ColumnKind::kText:
            row[i] = stmt.column_text(index);
            break;
          case ColumnKind::kBytes:
            row[i] = stmt.column_blob(index);
            break;
          case ColumnKind::kKey:
            row[i] = unpack_key(stmt, index);
            break;
        }
      }
      RETURN_IF_ERROR(visit(row));
    }
  }

  Result<void> insert(const TableSpec& table, const std::vector<Row>& rows) override {
    std::string placeholders;
    for (std::size_t i = 1; i <= table.columns.size(); ++i) {
      placeholders += fmt::format("{}?{}", i == 1 ? "" : ", ", i);
    }
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare(fmt::format("INSERT INTO {} ({}) VALUES ({})", table.name,
                                                             column_list(table), placeholders)));
    std::string packed;
    for (const Row& row : rows) {
      for (std::size_t i = 0; i < table.columns.size(); ++i) {
        const int index = static_cast<int>(i) + 1;
        const Column& column = table.columns[i];
        if (!row[i] || (table.deferred != nullptr && std::string_view(column.name) == table.deferred)) {
          stmt.bind_null(index);
          continue;
        }
        switch (column.kind) {
          case ColumnKind::kInteger:
            stmt.bind(index, integer_of(*row[i]));
            break;
          case ColumnKind::kText:
            stmt.bind(index, *row[i]);
            break;
          case ColumnKind::kBytes:
            stmt.bind_blob(index, *row[i]);
            break;
          case ColumnKind::kKey:
            // The stored form the SQLite backend writes (sqlite.h: try_pack_key).
            if (try_pack_key(*row[i], packed)) {
              stmt.bind_blob(index, packed);
            } else {
              stmt.bind(index, *row[i]);
            }
            break;
        }
      }
      RETURN_IF_ERROR(stmt.run());
    }
    return ok();
  }

  Result<void> set_deferred(const TableSpec& table, const std::vector<Row>& key_and_value) override {
    if (table.deferred == nullptr || key_and_value.empty()) return ok();
    const Column& key = table.columns.front();
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare(fmt::format("UPDATE {} SET {} = ?2 WHERE {} = ?1", table.name,
                                                             table.deferred, key.name)));
    for (const Row& row : key_and_value) {
      if (key.kind == ColumnKind::kInteger) {
        stmt.bind(1, integer_of(*row[0]));
      } else {
        stmt.bind(1, *row[0]);
      }
      // Deferred columns are references: integers or codes, as the key is.
      if (key.kind == ColumnKind::kInteger) {
        stmt.bind(2, integer_of(*row[1]));
      } else {
        stmt.bind(2, *row[1]);
      }
      RETURN_IF_ERROR(stmt.run());
    }
    return ok();
  }

  // INTEGER PRIMARY KEY continues after the largest key by itself.
  Result<void> finish_table(const TableSpec&) override { return ok(); }

 private:
  Result<std::vector<std::string>> strings(const char* sql, const std::string& argument) {
    ASSIGN_OR_RETURN(Statement stmt, db_.prepare(sql));
    if (!argument.empty()) stmt.bind(1, argument);
    std::vector<std::string> result;
    for (;;) {
      ASSIGN_OR_RETURN(const bool row, stmt.step());
      if (!row) return result;
      result.push_back(stmt.column_text(0));
    }
  }

  Database db_;
};

}  // namespace

Result<std::unique_ptr<TableIo>> open_sqlite_table_io(const std::string& path) {
  ASSIGN_OR_RETURN(Database db, Database::open(path));
  RETURN_IF_ERROR(db.exec("PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON"));
  return std::unique_ptr<TableIo>(std::make_unique<SqliteTableIo>(std::move(db)));
}

}  // namespace rapporteur::store::internal
