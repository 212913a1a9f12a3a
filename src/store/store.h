// The instance's persistent store: a repository interface over the domain model, split by
// role (registration_store.h, publication_store.h, account_store.h, staff_store.h,
// file_store.h, each on
// meta_store.h) so that a capability can take only the role it uses. `Store` is all roles
// together, as one backend implements them; open_store picks the backend (SQLite or
// PostgreSQL) from where the database is. Callers see only these headers.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"
#include "store/account_store.h"
#include "store/file_store.h"
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
  // What to do with a database that has no schema yet (an empty PostgreSQL database; for
  // SQLite the caller decides whether the file may be created).
  enum class Empty { kCreateSchema, kRefuse };
  Empty empty = Empty::kCreateSchema;
};

// Every role of the store, as one backend provides them.
class Store : public RegistrationStore,
              public PublicationStore,
              public AccountStore,
              public StaffStore,
              public FileStore {};

// True when `location` names a PostgreSQL database (a postgresql:// or postgres:// URL)
// rather than an SQLite file.
bool is_postgresql_url(std::string_view location);

// `location` fit for messages and logs: a URL's password replaced by "***".
std::string printable_location(std::string_view location);

// Opens the store at `location`: a PostgreSQL connection URL (is_postgresql_url) or the path
// of an SQLite file. Fails as open_postgresql_store or open_sqlite_store do.
Result<std::unique_ptr<Store>> open_store(const std::string& location, const StoreOptions& options = {});

// Opens (creating if absent) the SQLite database at `path` with WAL, foreign keys and the busy
// timeout, and applies pending migrations, each in its own transaction. Fails with
// kSchemaTooNew when the database is newer than this binary, kStorage when it cannot be opened
// or migrated (nothing of a failed migration remains).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, const StoreOptions& options = {});

// Connects to the PostgreSQL database at `url` (libpq's URL form, e.g.
// postgresql://user@host:5432/name or postgresql:///name?host=/run/postgresql) and applies
// pending migrations, each in its own transaction under an advisory lock, so that nodes
// starting together migrate once. Fails with kNotFound for a database without schema when
// `options.empty` is kRefuse, kSchemaTooNew when the database is newer than this binary,
// kStorage when it cannot connect or migrate (nothing of a failed migration remains).
Result<std::unique_ptr<Store>> open_postgresql_store(const std::string& url, const StoreOptions& options = {});

}  // namespace rapporteur::store
