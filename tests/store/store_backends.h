// The backends the store contract suite runs on: each test gets a fresh, empty store from a
// backend's factory. SQLite gets a file in a temporary folder.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "store/store.h"
#include "test_support.h"

namespace rapporteur::store::testing {

// A fresh store of one backend and what it takes to throw it away again.
class BackendStore {
 public:
  // Opens a fresh store of `backend` ("sqlite"); nullptr with a reason in `skip` when the
  // backend is not available here.
  static std::unique_ptr<BackendStore> open(const std::string& backend, std::string& skip);
  BackendStore(const BackendStore&) = delete;
  BackendStore& operator=(const BackendStore&) = delete;
  ~BackendStore();

  Store& store() { return *store_; }
  // Where the store is (a file path or a URL), to open a second connection to it.
  const std::string& location() const { return location_; }
  // Opens another connection to the same database.
  Result<std::unique_ptr<Store>> reopen() const;

 private:
  BackendStore() = default;
  rapporteur::testing::TempDir dir_;
  std::string location_;
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
