// The backends the store contract suite runs on: each test gets a fresh, empty store from a
// backend's factory. SQLite gets a file in a temporary folder; PostgreSQL gets a schema of
// its own in the database at RAPPORTEUR_TEST_POSTGRES_URL (scripts/test starts a throwaway
// cluster and sets it), dropped after the test.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "store/store.h"
#include "test_support.h"

namespace rapporteur::store::testing {

// The environment variable naming the PostgreSQL database the tests may use.
inline constexpr const char* kPostgresUrlVariable = "RAPPORTEUR_TEST_POSTGRES_URL";

// The URL in kPostgresUrlVariable, if set and not empty.
std::optional<std::string> test_postgres_url();

// Runs `sql` on the PostgreSQL database at `url` with libpq directly (not through the store);
// returns "" on success, else the error.
std::string run_postgres_sql(const std::string& url, const std::string& sql);

// The first column of the first row of `sql` on the PostgreSQL database at `url`, read with
// libpq directly; "" on failure (with a test failure).
std::string query_postgres_text(const std::string& url, const std::string& sql);

// A fresh PostgreSQL schema of its own, dropped on destruction; `url()` connects to it.
// Skips (through `skip`) when kPostgresUrlVariable is not set.
class PostgresSchema {
 public:
  static std::unique_ptr<PostgresSchema> create(std::string& skip);
  PostgresSchema(const PostgresSchema&) = delete;
  PostgresSchema& operator=(const PostgresSchema&) = delete;
  ~PostgresSchema();
  const std::string& url() const { return url_; }

 private:
  PostgresSchema() = default;
  std::string admin_url_;
  std::string name_;
  std::string url_;
};

// A fresh store of one backend and what it takes to throw it away again.
class BackendStore {
 public:
  // Opens a fresh store of `backend` ("sqlite" or "postgresql") with `options` (e.g. an older
  // target version); nullptr with a reason in `skip` when the backend is not available here
  // (PostgreSQL without kPostgresUrlVariable).
  static std::unique_ptr<BackendStore> open(const std::string& backend, std::string& skip,
                                            const StoreOptions& options = {});
  BackendStore(const BackendStore&) = delete;
  BackendStore& operator=(const BackendStore&) = delete;
  ~BackendStore();

  Store& store() { return *store_; }
  // Where the store is (a file path or a URL), to open a second connection to it.
  const std::string& location() const { return location_; }
  // Opens another connection to the same database (which applies pending migrations).
  Result<std::unique_ptr<Store>> reopen() const;
  // Runs `sql` on the database directly (sqlite3 or libpq, not through the store), to write
  // rows an older schema holds; returns "" on success, else the error.
  std::string run_sql(const std::string& sql) const;

 private:
  BackendStore() = default;
  rapporteur::testing::TempDir dir_;
  std::string location_;
  std::unique_ptr<PostgresSchema> schema_;  // PostgreSQL only.
  std::unique_ptr<Store> store_;
};

// Value-parameterised over backend names; SetUp opens a fresh store or skips.
class StoreContract : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override;
  Store& store() { return backend_->store(); }
  BackendStore& backend() { return *backend_; }

 private:
  std::unique_ptr<BackendStore> backend_;
};

}  // namespace rapporteur::store::testing
