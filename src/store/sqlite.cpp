#include "store/internal/sqlite.h"

#include <array>
#include <cstdint>
#include <utility>

#include <fmt/format.h>

#include "core/crash_point.h"

namespace rapporteur::store::internal {

tl::unexpected<Error> sqlite_error(sqlite3* db, std::string_view doing) {
  return fail(ErrorCode::kStorage,
              fmt::format("database error while {}: {}", doing, db ? sqlite3_errmsg(db) : "no connection"));
}

Statement::Statement(Statement&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = std::exchange(other.db_, nullptr);
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::bind(int index, std::int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

Statement& Statement::bind_text(int index, std::string_view value, sqlite3_destructor_type lifetime) {
  sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()), lifetime);
  return *this;
}

Statement& Statement::bind_bytes(int index, std::string_view bytes, sqlite3_destructor_type lifetime) {
  if (bytes.empty()) return bind_null(index);
  sqlite3_bind_blob(stmt_, index, bytes.data(), static_cast<int>(bytes.size()), lifetime);
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) { return bind_text(index, value, SQLITE_TRANSIENT); }

Statement& Statement::bind(int index, const std::optional<std::string>& value) {
  return value ? bind(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind(int index, std::optional<std::string_view> value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind(int index, std::optional<std::int64_t> value) {
  return value ? bind(index, *value) : bind_null(index);
}

Statement& Statement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  return bind_bytes(index, bytes, SQLITE_TRANSIENT);
}

Statement& Statement::bind_borrowed(int index, std::string_view value) {
  return bind_text(index, value, SQLITE_STATIC);
}

Statement& Statement::bind_borrowed(int index, const std::optional<std::string>& value) {
  return value ? bind_borrowed(index, std::string_view(*value)) : bind_null(index);
}

Statement& Statement::bind_borrowed(int index, std::optional<std::string_view> value) {
  return value ? bind_borrowed(index, *value) : bind_null(index);
}

Statement& Statement::bind_blob_borrowed(int index, std::string_view bytes) {
  return bind_bytes(index, bytes, SQLITE_STATIC);
}

std::string Statement::column_blob(int index) const {
  const void* data = sqlite3_column_blob(stmt_, index);
  return data
             ? std::string(static_cast<const char*>(data), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)))
             : std::string();
}

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) {
    return true;
  }
  if (rc == SQLITE_DONE) {
    return false;
  }
  auto error = sqlite_error(db_, fmt::format("running '{}'", sqlite3_sql(stmt_)));
  sqlite3_reset(stmt_);
  return error;
}

Result<void> Statement::run() {
  auto ran = run_rebinding_all();
  sqlite3_clear_bindings(stmt_);
  return ran;
}

Result<void> Statement::run_rebinding_all() {
  Result<bool> stepped = step();
  while (stepped && *stepped) {
    stepped = step();
  }
  // A crash test stops after each write (its transaction not yet committed).
  if (stepped && sqlite3_stmt_readonly(stmt_) == 0) crash_point();
  sqlite3_reset(stmt_);
  if (!stepped) {
    return tl::unexpected(stepped.error());
  }
  return ok();
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

std::int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string Statement::column_text(int index) const {
  const auto* text = sqlite3_column_text(stmt_, index);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<std::size_t>(sqlite3_column_bytes(stmt_, index)))
              : std::string();
}

std::optional<std::string> Statement::column_optional_text(int index) const {
  if (sqlite3_column_type(stmt_, index) == SQLITE_NULL) {
    return std::nullopt;
  }
  return column_text(index);
}

std::optional<std::int64_t> Statement::column_optional_int(int index) const {
  if (sqlite3_column_type(stmt_, index) == SQLITE_NULL) {
    return std::nullopt;
  }
  return column_int(index);
}

namespace {

// The value of a lower-case hex digit, or 16 for any other character.
constexpr std::array<std::uint8_t, 256> kHexValue = [] {
  std::array<std::uint8_t, 256> table{};
  table.fill(16);
  for (int c = '0'; c <= '9'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
  for (int c = 'a'; c <= 'f'; ++c) table[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
  return table;
}();

}  // namespace

bool try_pack_key(std::string_view key, std::string& out) {
  if (key.empty() || key.size() % 2 != 0) return false;
  out.resize(key.size() / 2);
  unsigned invalid = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const unsigned high = kHexValue[static_cast<unsigned char>(key[2 * i])];
    const unsigned low = kHexValue[static_cast<unsigned char>(key[2 * i + 1])];
    invalid |= (high | low) & 16;
    out[i] = static_cast<char>(high << 4 | (low & 15));
  }
  return invalid == 0;
}

std::string unpack_key(const Statement& statement, int index) {
  if (!statement.column_is_blob(index)) return statement.column_text(index);
  static constexpr char kDigits[] = "0123456789abcdef";
  const std::string bytes = statement.column_blob(index);
  std::string key(2 * bytes.size(), '0');
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto byte = static_cast<unsigned char>(bytes[i]);
    key[2 * i] = kDigits[byte >> 4];
    key[2 * i + 1] = kDigits[byte & 15];
  }
  return key;
}

namespace {

// rapporteur_pack_key(x): the stored form of key x (see try_pack_key); NULL and non-text as given.
void pack_key_function(sqlite3_context* context, int, sqlite3_value** arguments) {
  sqlite3_value* argument = arguments[0];
  if (sqlite3_value_type(argument) != SQLITE_TEXT) {
    sqlite3_result_value(context, argument);
    return;
  }
  const std::string_view key(reinterpret_cast<const char*>(sqlite3_value_text(argument)),
                             static_cast<std::size_t>(sqlite3_value_bytes(argument)));
  std::string bytes;
  if (!try_pack_key(key, bytes)) {
    sqlite3_result_value(context, argument);
    return;
  }
  sqlite3_result_blob(context, bytes.data(), static_cast<int>(bytes.size()), SQLITE_TRANSIENT);
}

}  // namespace

Result<Database> Database::open(const std::string& path) {
  // No allocation statistics: with them every SQLite allocation takes a global mutex (mutex
  // calls inside SQLite were 4-5% of the intake benchmark's samples under perf). Must precede
  // SQLite's initialisation, which the first open does; later calls are refused harmlessly.
  static const int kConfigured = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  (void)kConfigured;
  sqlite3* db = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    auto error = fail(ErrorCode::kStorage,
                      fmt::format("cannot open database '{}': {}", path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_create_function_v2(db, "rapporteur_pack_key", 1, SQLITE_UTF8 | SQLITE_DETERMINISTIC, nullptr,
                             pack_key_function, nullptr, nullptr, nullptr);
  return Database(db);
}

Database::Database(Database&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    sqlite3_close(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

Database::~Database() {
  // Statements are owned by the store and finalised before the connection is closed.
  sqlite3_close(db_);
}

Result<void> Database::exec(std::string_view sql) {
  char* message = nullptr;
  const std::string text(sql);
  crash_point();  // Before a COMMIT, a migration's script, a pragma.
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
    std::string why = message ? message : "unknown error";
    sqlite3_free(message);
    return fail(ErrorCode::kStorage, fmt::format("database error: {}", why));
  }
  crash_point();  // After it: committed, and the caller's next step not taken.
  return ok();
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK) {
    return sqlite_error(db_, fmt::format("preparing '{}'", sql));
  }
  return Statement(db_, stmt);
}

std::int64_t Database::last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }

std::int64_t Database::changes() const { return sqlite3_changes64(db_); }

}  // namespace rapporteur::store::internal
