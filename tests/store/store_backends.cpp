#include "store/store_backends.h"

#include <fmt/format.h>

namespace rapporteur::store::testing {

std::unique_ptr<BackendStore> BackendStore::open(const std::string& backend, std::string& skip) {
  std::unique_ptr<BackendStore> result(new BackendStore());
  if (backend == "sqlite") {
    result->location_ = (result->dir_ / "contract.db").string();
    auto opened = open_sqlite_store(result->location_);
    EXPECT_TRUE(opened.has_value()) << opened.error().message;
    if (!opened) return nullptr;
    result->store_ = std::move(*opened);
    return result;
  }
  skip = fmt::format("unknown backend '{}'", backend);
  return nullptr;
}

BackendStore::~BackendStore() { store_.reset(); }

Result<std::unique_ptr<Store>> BackendStore::reopen() const { return open_sqlite_store(location_); }

void StoreContract::SetUp() {
  std::string skip;
  backend_ = BackendStore::open(GetParam(), skip);
  if (!backend_ && !skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(backend_, nullptr);
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values("sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });

}  // namespace rapporteur::store::testing
