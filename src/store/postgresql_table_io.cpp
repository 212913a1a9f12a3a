// Whole-table access to a PostgreSQL database, for copying between backends.
#include <fmt/format.h>

#include "store/internal/postgresql.h"
#include "store/internal/table_io.h"

namespace rapporteur::store::internal {
namespace {

constexpr std::size_t kRowsPerInsert = 500;

std::string column_list(const TableSpec& table) {
  std::string list;
  for (const Column& column : table.columns) list += fmt::format("{}{}", list.empty() ? "" : ", ", column.name);
  return list;
}

bool is_text(const TableSpec& table, std::string_view name) {
  for (const Column& column : table.columns) {
    if (name == column.name) return column.kind != ColumnKind::kInteger;
  }
  return false;
}

// The table's order with text compared by code point, as SQLite compares it.
std::string order_of(const TableSpec& table) {
  std::string order;
  std::string_view rest = table.order_by;
  while (!rest.empty()) {
    const auto comma = rest.find(", ");
    const std::string_view name = rest.substr(0, comma);
    order += fmt::format("{}{}{}", order.empty() ? "" : ", ", name, is_text(table, name) ? " COLLATE \"C\"" : "");
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 2);
  }
  return order;
}

void add_value(Params& params, ColumnKind kind, const std::optional<std::string>& value) {
  if (!value) {
    params.add_null();
  } else if (kind == ColumnKind::kBytes) {
    params.add_bytes(*value);
  } else {
    params.add(*value);
  }
}

class PostgresTableIo final : public TableIo {
 public:
  explicit PostgresTableIo(Connection db) : db_(std::move(db)) {}

  Result<void> begin_snapshot() override { return db_.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"); }
  Result<void> begin_write() override { return db_.exec("BEGIN"); }
  Result<void> commit() override { return db_.exec("COMMIT"); }
  void rollback() override { (void)db_.exec("ROLLBACK"); }

  Result<std::vector<std::string>> table_names() override {
    ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT table_name FROM information_schema.tables WHERE "
                                                "table_schema = current_schema() AND table_type = 'BASE TABLE' "
                                                "AND table_name <> 'schema_migrations' ORDER BY table_name"));
    return strings(rows);
  }

  Result<std::vector<std::string>> column_names(const std::string& table) override {
    ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT column_name FROM information_schema.columns WHERE "
                                                "table_schema = current_schema() AND table_name = $1 "
                                                "ORDER BY ordinal_position",
                                                Params().add(table)));
    return strings(rows);
  }

  Result<std::int64_t> count_rows(const std::string& table) override {
    ASSIGN_OR_RETURN(const Rows rows, db_.query(fmt::format("SELECT count(*) FROM {}", table)));
    return rows.integer(0, 0);
  }

  Result<void> read(const TableSpec& table, const RowVisitor& visit) override {
    // A cursor reads a large table in slices instead of holding all of it at once.
    RETURN_IF_ERROR(db_.exec(fmt::format("DECLARE rows_of_table NO SCROLL CURSOR FOR SELECT {} FROM {} ORDER BY {}",
                                         column_list(table), table.name, order_of(table))));
    Row row(table.columns.size());
    for (;;) {
      ASSIGN_OR_RETURN(const Rows rows, db_.query("FETCH 1000 FROM rows_of_table"));
      if (rows.size() == 0) break;
      for (int r = 0; r < rows.size(); ++r) {
        for (std::size_t i = 0; i < table.columns.size(); ++i) {
          const int index = static_cast<int>(i);
          if (rows.is_null(r, index)) {
            row[i].reset();
          } else if (table.columns[i].kind == ColumnKind::kBytes) {
            row[i] = rows.bytes(r, index);
          } else {
            row[i] = rows.text(r, index);
          }
        }
        RETURN_IF_ERROR(visit(row));
      }
    }
    return db_.exec("CLOSE rows_of_table");
  }

  Result<void> insert(const TableSpec& table, const std::vector<Row>& rows) override {
    const std::size_t width = table.columns.size();
    for (std::size_t start = 0; start < rows.size(); start += kRowsPerInsert) {
      const std::size_t end = std::min(rows.size(), start + kRowsPerInsert);
      std::string sql = fmt::format("INSERT INTO {} ({}) VALUES ", table.name, column_list(table));
      Params params;
      for (std::size_t r = start; r < end; ++r) {
        sql += r == start ? "(" : ", (";
        for (std::size_t i = 0; i < width; ++i) {
          sql += fmt::format("{}${}", i == 0 ? "" : ", ", params.size() + 1);
          const bool deferred = table.deferred != nullptr && std::string_view(table.columns[i].name) == table.deferred;
          add_value(params, table.columns[i].kind, deferred ? std::nullopt : rows[r][i]);
        }
        sql += ')';
      }
      RETURN_IF_ERROR(db_.query(sql, params));
    }
    return ok();
  }

  Result<void> set_deferred(const TableSpec& table, const std::vector<Row>& key_and_value) override {
    if (table.deferred == nullptr || key_and_value.empty()) return ok();
    const Column& key = table.columns.front();
    const std::string cast = key.kind == ColumnKind::kInteger ? "::bigint" : "";
    for (const Row& row : key_and_value) {
      RETURN_IF_ERROR(db_.query(
          fmt::format("UPDATE {} SET {} = $2{} WHERE {} = $1{}", table.name, table.deferred, cast, key.name, cast),
          Params().add(row[0]).add(row[1])));
    }
    return ok();
  }

  Result<void> finish_table(const TableSpec& table) override {
    if (!table.identity) return ok();
    const char* key = table.columns.front().name;
    // The next generated key follows the largest copied one.
    return db_
        .query(fmt::format("SELECT setval(pg_get_serial_sequence('{0}', '{1}'), "
                           "coalesce((SELECT max({1}) FROM {0}), 0) + 1, false)",
                           table.name, key))
        .map([](const Rows&) {});
  }

 private:
  static std::vector<std::string> strings(const Rows& rows) {
    std::vector<std::string> result;
    for (int i = 0; i < rows.size(); ++i) result.push_back(rows.text(i, 0));
    return result;
  }

  Connection db_;
};

}  // namespace

Result<std::unique_ptr<TableIo>> open_postgresql_table_io(const std::string& url) {
  ASSIGN_OR_RETURN(Connection db, Connection::open(url));
  return std::unique_ptr<TableIo>(std::make_unique<PostgresTableIo>(std::move(db)));
}

}  // namespace rapporteur::store::internal
