// Thin RAII wrapper over libpq, private to the store. Every statement is sent with its values
// as bound parameters (PQexecParams); results come back in text form.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <libpq-fe.h>

#include "core/result.h"

namespace rapporteur::store::internal {

// The parameters of one statement, $1 first. Text values are sent as text; bytes as binary
// bytea. Not thread-safe.
class Params {
 public:
  Params& add(std::int64_t value);
  Params& add(int value) { return add(static_cast<std::int64_t>(value)); }
  Params& add(std::string_view value);
  Params& add(const std::string& value) { return add(std::string_view(value)); }
  Params& add(const char* value) { return add(std::string_view(value)); }
  Params& add(const std::optional<std::string>& value);
  Params& add(std::optional<std::string_view> value);
  Params& add(std::optional<std::int64_t> value);
  Params& add_null();
  // Raw bytes as bytea; an empty string sends NULL (as the SQLite backend stores it).
  Params& add_bytes(std::string_view bytes);
  std::size_t size() const { return values_.size(); }

 private:
  friend class Connection;
  std::vector<std::optional<std::string>> values_;
  std::vector<int> formats_;  // 0 text, 1 binary.
};

// The rows of one result, read by row and column index (both from 0).
class Rows {
 public:
  explicit Rows(PGresult* result) : result_(result, &PQclear) {}
  int size() const { return PQntuples(result_.get()); }
  bool is_null(int row, int column) const { return PQgetisnull(result_.get(), row, column) != 0; }
  std::string text(int row, int column) const;
  std::optional<std::string> optional_text(int row, int column) const;
  std::int64_t integer(int row, int column) const;
  std::optional<std::int64_t> optional_integer(int row, int column) const;
  // bytea as its bytes; NULL gives "".
  std::string bytes(int row, int column) const;
  // Rows an INSERT, UPDATE or DELETE changed.
  std::int64_t changed() const;

 private:
  std::unique_ptr<PGresult, decltype(&PQclear)> result_;
};

// One connection. Not thread-safe: the store serialises calls.
class Connection {
 public:
  // Connects to `url`; kStorage with libpq's reason (never the URL, which may hold a password).
  static Result<Connection> open(const std::string& url);
  Connection(Connection&&) noexcept = default;
  Connection& operator=(Connection&&) noexcept = default;

  // Runs statements without parameters (several, separated by ';').
  Result<void> exec(const std::string& sql);
  // Runs one statement with bound parameters and returns its rows. A unique-constraint
  // violation fails with kConflict, every other failure with kStorage.
  Result<Rows> query(const std::string& sql, const Params& params = {});

 private:
  explicit Connection(PGconn* connection) : connection_(connection, &PQfinish) {}
  // Takes `result`; fails unless it is a success.
  Result<Rows> checked(PGresult* result);
  std::unique_ptr<PGconn, decltype(&PQfinish)> connection_;
};

}  // namespace rapporteur::store::internal
