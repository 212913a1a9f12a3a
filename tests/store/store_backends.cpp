#include "store/store_backends.h"

#include <atomic>
#include <cstdlib>
#include <random>

#include <libpq-fe.h>
#include <sqlite3.h>
#include <unistd.h>

#include <fmt/format.h>

namespace rapporteur::store::testing {

std::optional<std::string> test_postgres_url() {
  const char* url = std::getenv(kPostgresUrlVariable);
  if (url == nullptr || *url == '\0') return std::nullopt;
  return std::string(url);
}

std::string run_postgres_sql(const std::string& url, const std::string& sql) {
  PGconn* connection = PQconnectdb(url.c_str());
  std::string error;
  if (PQstatus(connection) != CONNECTION_OK) {
    error = PQerrorMessage(connection);
  } else {
    PGresult* result = PQexec(connection, ("SET client_min_messages = 'warning'; " + sql).c_str());
    if (PQresultStatus(result) != PGRES_COMMAND_OK && PQresultStatus(result) != PGRES_TUPLES_OK) {
      error = PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  PQfinish(connection);
  return error;
}

std::string query_postgres_text(const std::string& url, const std::string& sql) {
  PGconn* connection = PQconnectdb(url.c_str());
  std::string value;
  if (PQstatus(connection) != CONNECTION_OK) {
    ADD_FAILURE() << PQerrorMessage(connection);
  } else {
    PGresult* result = PQexec(connection, sql.c_str());
    if (PQresultStatus(result) == PGRES_TUPLES_OK && PQntuples(result) > 0) {
      value = PQgetvalue(result, 0, 0);
    } else {
      ADD_FAILURE() << sql << ": " << PQresultErrorMessage(result);
    }
    PQclear(result);
  }
  PQfinish(connection);
  return value;
}

std::unique_ptr<PostgresSchema> PostgresSchema::create(std::string& skip) {
  const auto url = test_postgres_url();
  if (!url) {
    skip = fmt::format("{} is not set: no PostgreSQL to run on (scripts/test starts one)", kPostgresUrlVariable);
    return nullptr;
  }
  static std::atomic<int> counter{0};
  std::random_device random;
  std::unique_ptr<PostgresSchema> schema(new PostgresSchema());
  schema->admin_url_ = *url;
  schema->name_ = fmt::format("test_{}_{}_{}", ::getpid(), counter++, random() % 1000000);
  const std::string created = run_postgres_sql(*url, "CREATE SCHEMA " + schema->name_);
  EXPECT_EQ(created, "") << created;
  if (!created.empty()) return nullptr;
  // The store's tables go into the schema through the search path given in the URL.
  const char separator = url->find('?') == std::string::npos ? '?' : '&';
  schema->url_ = fmt::format("{}{}options=-csearch_path%3D{}", *url, separator, schema->name_);
  return schema;
}

PostgresSchema::~PostgresSchema() {
  const std::string dropped = run_postgres_sql(admin_url_, "DROP SCHEMA " + name_ + " CASCADE");
  EXPECT_EQ(dropped, "") << dropped;
}

std::unique_ptr<BackendStore> BackendStore::open(const std::string& backend, std::string& skip,
                                                 const StoreOptions& options) {
  std::unique_ptr<BackendStore> result(new BackendStore());
  if (backend == "sqlite") {
    result->location_ = (result->dir_ / "contract.db").string();
    auto opened = open_sqlite_store(result->location_, options);
    EXPECT_TRUE(opened.has_value()) << opened.error().message;
    if (!opened) return nullptr;
    result->store_ = std::move(*opened);
    return result;
  }
  if (backend == "postgresql") {
    result->schema_ = PostgresSchema::create(skip);
    if (!result->schema_) return nullptr;
    result->location_ = result->schema_->url();
    auto opened = open_postgresql_store(result->location_, options);
    EXPECT_TRUE(opened.has_value()) << opened.error().message;
    if (!opened) return nullptr;
    result->store_ = std::move(*opened);
    return result;
  }
  skip = fmt::format("unknown backend '{}'", backend);
  return nullptr;
}

BackendStore::~BackendStore() {
  store_.reset();
  schema_.reset();
}

Result<std::unique_ptr<Store>> BackendStore::reopen() const { return open_store(location_); }

std::string BackendStore::run_sql(const std::string& sql) const {
  if (schema_) return run_postgres_sql(location_, sql);
  sqlite3* db = nullptr;
  std::string error;
  if (sqlite3_open(location_.c_str(), &db) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
  } else {
    char* message = nullptr;
    if (sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) != SQLITE_OK) {
      error = message != nullptr ? message : "sqlite3_exec failed";
    }
    sqlite3_free(message);
  }
  sqlite3_close(db);
  return error;
}

void StoreContract::SetUp() {
  std::string skip;
  backend_ = BackendStore::open(GetParam(), skip);
  if (!backend_ && !skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(backend_, nullptr);
}

}  // namespace rapporteur::store::testing
