// libpq wrapper of the PostgreSQL backend.
#include "store/internal/postgresql.h"

#include <cassert>
#include <charconv>

#include <fmt/format.h>

namespace rapporteur::store::internal {
namespace {

// libpq's messages end in a newline; ours do not.
std::string trimmed(const char* message) {
  std::string text = message == nullptr ? "" : message;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Params& Params::add(std::int64_t value) {
  values_.emplace_back(std::to_string(value));
  formats_.push_back(0);
  return *this;
}

Params& Params::add(std::string_view value) {
  values_.emplace_back(std::string(value));
  formats_.push_back(0);
  return *this;
}

Params& Params::add(const std::optional<std::string>& value) {
  if (!value) return add_null();
  return add(std::string_view(*value));
}

Params& Params::add(std::optional<std::string_view> value) {
  if (!value) return add_null();
  return add(*value);
}

Params& Params::add(std::optional<std::int64_t> value) {
  if (!value) return add_null();
  return add(*value);
}

Params& Params::add_null() {
  values_.emplace_back(std::nullopt);
  formats_.push_back(0);
  return *this;
}

Params& Params::add_bytes(std::string_view bytes) {
  if (bytes.empty()) return add_null();
  values_.emplace_back(std::string(bytes));
  formats_.push_back(1);
  return *this;
}

std::string Rows::text(int row, int column) const {
  return std::string(PQgetvalue(result_.get(), row, column),
                     static_cast<std::size_t>(PQgetlength(result_.get(), row, column)));
}

std::optional<std::string> Rows::optional_text(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return text(row, column);
}

std::int64_t Rows::integer(int row, int column) const {
  const char* value = PQgetvalue(result_.get(), row, column);
  std::int64_t parsed = 0;
  const auto length = static_cast<std::size_t>(PQgetlength(result_.get(), row, column));
  const auto [end, error] = std::from_chars(value, value + length, parsed);
  assert(error == std::errc() && end == value + length && "integer columns come back as decimal text");
  (void)end;
  (void)error;
  return parsed;
}

std::optional<std::int64_t> Rows::optional_integer(int row, int column) const {
  if (is_null(row, column)) return std::nullopt;
  return integer(row, column);
}

std::string Rows::bytes(int row, int column) const {
  if (is_null(row, column)) return "";
  // bytea in text form is "\x" and two hex digits per byte (bytea_output = hex, set on connect).
  const std::string hex = text(row, column);
  assert(hex.size() >= 2 && hex[0] == '\\' && hex[1] == 'x' && "bytea_output is hex");
  std::string out;
  out.reserve((hex.size() - 2) / 2);
  for (std::size_t i = 2; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<char>(hex_value(hex[i]) * 16 + hex_value(hex[i + 1])));
  }
  return out;
}

std::int64_t Rows::changed() const {
  const char* tuples = PQcmdTuples(result_.get());
  std::int64_t count = 0;
  std::from_chars(tuples, tuples + std::char_traits<char>::length(tuples), count);
  return count;
}

Result<Connection> Connection::open(const std::string& url) {
  Connection connection(PQconnectdb(url.c_str()));
  if (!connection.connection_ || PQstatus(connection.connection_.get()) != CONNECTION_OK) {
    return fail(ErrorCode::kStorage,
                fmt::format("cannot connect to PostgreSQL: {}", trimmed(PQerrorMessage(connection.connection_.get()))));
  }
  // UTC timestamps, hex bytea, UTF-8 text and no notices on stderr (a migration's DROP says
  // what it drops).
  RETURN_IF_ERROR(
      connection.exec("SET TIME ZONE 'UTC'; SET bytea_output = 'hex'; "
                      "SET client_encoding = 'UTF8'; SET client_min_messages = 'warning'"));
  return connection;
}

Result<void> Connection::exec(const std::string& sql) {
  ASSIGN_OR_RETURN(Rows rows, checked(PQexec(connection_.get(), sql.c_str())));
  (void)rows;
  return ok();
}

Result<Rows> Connection::query(const std::string& sql, const Params& params) {
  std::vector<const char*> values;
  std::vector<int> lengths;
  values.reserve(params.values_.size());
  lengths.reserve(params.values_.size());
  for (const auto& value : params.values_) {
    values.push_back(value ? value->data() : nullptr);
    lengths.push_back(value ? static_cast<int>(value->size()) : 0);
  }
  return checked(PQexecParams(connection_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                              lengths.data(), params.formats_.data(), 0));
}

Result<Rows> Connection::checked(PGresult* result) {
  Rows rows(result);
  const ExecStatusType status = PQresultStatus(result);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return rows;
  const char* state = result == nullptr ? nullptr : PQresultErrorField(result, PG_DIAG_SQLSTATE);
  // 23505: unique_violation.
  const ErrorCode code =
      state != nullptr && std::string_view(state) == "23505" ? ErrorCode::kConflict : ErrorCode::kStorage;
  const char* message = result == nullptr ? PQerrorMessage(connection_.get()) : PQresultErrorMessage(result);
  return fail(code, fmt::format("PostgreSQL: {}", trimmed(message)));
}

}  // namespace rapporteur::store::internal
