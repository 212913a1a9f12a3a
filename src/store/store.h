// The instance's persistent store: a repository interface over the domain model, split by
// role (registration_store.h, publication_store.h, account_store.h, staff_store.h, each on
// meta_store.h) so that a capability can take only the role it uses. `Store` is all roles
// together, as one backend implements them. Callers see only these headers.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"
#include "store/account_store.h"
#include "store/meta_store.h"
#include "store/publication_store.h"
#include "store/registration_store.h"
#include "store/staff_store.h"

namespace rapporteur::store {

// The schema version this binary writes; databases at a higher version are refused.
int latest_schema_version();

struct StoreOptions {
  // How long a writer waits for another process's lock before failing with kStorage.
  std::chrono::milliseconds busy_timeout{5000};
  // Migrate only up to this version instead of the latest (staged upgrades and their tests).
  std::optional<int> target_version;
};

// Every role of the store, as one backend provides them.
class Store : public RegistrationStore,
              public PublicationStore,
              public AccountStore,
              public StaffStore {};

// Opens (creating if absent) the SQLite database at `path` with WAL, foreign keys and the busy
// timeout, and applies pending migrations, each in its own transaction. Fails with
// kSchemaTooNew when the database is newer than this binary, kStorage when it cannot be opened
// or migrated (nothing of a failed migration remains).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                 const StoreOptions& options = {});

}  // namespace rapporteur::store
