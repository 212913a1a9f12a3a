// Thin RAII wrapper over the SQLite C API, private to the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <sqlite3.h>

#include "core/result.h"

namespace rapporteur::store::internal {

// A prepared statement. Bind positions start at 1. Not thread-safe.
class Statement {
 public:
  Statement() = default;
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  ~Statement();

  Statement& bind(int index, std::int64_t value);
  Statement& bind(int index, int value) { return bind(index, static_cast<std::int64_t>(value)); }
  Statement& bind(int index, std::string_view value);
  Statement& bind(int index, const std::string& value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const char* value) { return bind(index, std::string_view(value)); }
  Statement& bind(int index, const std::optional<std::string>& value);
  Statement& bind(int index, std::optional<std::string_view> value);
  Statement& bind(int index, std::optional<std::int64_t> value);
  Statement& bind_null(int index);
  // Binds bytes as a BLOB; an empty string binds NULL.
  Statement& bind_blob(int index, std::string_view bytes);
  // As bind and bind_blob, but SQLite reads the bytes in place instead of copying them: they
  // must stay alive and unchanged until the statement is next stepped and rebound (bulk loads).
  Statement& bind_borrowed(int index, std::string_view value);
  Statement& bind_borrowed(int index, const std::string& value) {
    return bind_borrowed(index, std::string_view(value));
  }
  Statement& bind_borrowed(int index, const std::optional<std::string>& value);
  Statement& bind_borrowed(int index, std::optional<std::string_view> value);
  Statement& bind_blob_borrowed(int index, std::string_view bytes);

  // Advances; returns true while a row is available, false when done.
  Result<bool> step();
  // Steps to completion (for statements without rows) and resets for reuse.
  Result<void> run();
  // As run, but keeps the bindings: for a loop that rebinds every parameter before each run.
  Result<void> run_rebinding_all();
  void reset();

  bool column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }
  bool column_is_blob(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_BLOB; }
  std::int64_t column_int(int index) const;
  std::string column_text(int index) const;
  std::optional<std::string> column_optional_text(int index) const;
  std::optional<std::int64_t> column_optional_int(int index) const;
  // BLOB bytes; NULL gives "".
  std::string column_blob(int index) const;

 private:
  // Text and BLOB binding, copied (SQLITE_TRANSIENT) or read in place (SQLITE_STATIC).
  Statement& bind_text(int index, std::string_view value, sqlite3_destructor_type lifetime);
  Statement& bind_bytes(int index, std::string_view bytes, sqlite3_destructor_type lifetime);

  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

// An open connection.
class Database {
 public:
  static Result<Database> open(const std::string& path);
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  ~Database();

  // Runs one or more statements without parameters.
  Result<void> exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  std::int64_t last_insert_rowid() const;
  // Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t changes() const;
  sqlite3* handle() const { return db_; }

 private:
  explicit Database(sqlite3* db) : db_(db) {}
  sqlite3* db_ = nullptr;
};

// Person keys are stored packed: lower-case hex of even length as its bytes (half the size;
// keyed hashes are hex), any other key as its text. The mapping is one-to-one, so equality,
// DISTINCT and GROUP BY on the stored value mean what they mean on the key. Connections also
// have the SQL function rapporteur_pack_key(text) for migrations.
//
// Writes the bytes of `key` into `out` (reusing its storage) and returns true when the key
// is lower-case hex of even length; otherwise returns false and the key is stored as text.
bool try_pack_key(std::string_view key, std::string& out);
// The key from a stored value: BLOB bytes back to lower-case hex, TEXT as it is.
std::string unpack_key(const Statement& statement, int index);

// Returns kStorage with the SQLite message for `db` and what was being done.
tl::unexpected<Error> sqlite_error(sqlite3* db, std::string_view doing);

}  // namespace rapporteur::store::internal
