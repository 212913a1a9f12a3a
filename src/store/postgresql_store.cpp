// PostgreSQL backend of the Store interface: connecting, migrations, transactions and instance
// settings; the other areas are in postgresql_*.cpp beside it.
#include "store/internal/postgresql_store.h"

#include <fmt/format.h>

#include "store/internal/migrations.h"

namespace rapporteur::store {
namespace internal {

Result<void> PostgresStore::transact(const std::function<Result<void>()>& work) {
  const std::lock_guard lock(mutex_);
  const int depth = depth_;
  const std::string savepoint = fmt::format("sp{}", depth);
  RETURN_IF_ERROR(db_.exec(depth == 0 ? std::string("BEGIN") : "SAVEPOINT " + savepoint));
  ++depth_;
  Result<void> result = work();
  --depth_;
  if (result) {
    Result<void> committed = db_.exec(depth == 0 ? std::string("COMMIT") : "RELEASE SAVEPOINT " + savepoint);
    if (committed) return ok();
    result = std::move(committed);
  }
  // Roll back everything the work wrote; the original error is what the caller needs.
  if (depth == 0) {
    (void)db_.exec("ROLLBACK");
  } else {
    (void)db_.exec(fmt::format("ROLLBACK TO SAVEPOINT {0}; RELEASE SAVEPOINT {0}", savepoint));
  }
  return result;
}

Result<void> PostgresStore::set_meta(const std::string& key, const std::string& value) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("INSERT INTO instance_meta (key, value) VALUES ($1, $2) "
                                              "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                              Params().add(key).add(value)));
  (void)rows;
  return ok();
}

Result<std::string> PostgresStore::get_meta(const std::string& key) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT value FROM instance_meta WHERE key = $1", Params().add(key)));
  if (rows.size() == 0) return fail(ErrorCode::kNotFound, fmt::format("no instance setting '{}'", key));
  return rows.text(0, 0);
}

}  // namespace internal

namespace {

using internal::Connection;
using internal::Params;
using internal::Rows;

// Every node migrating at start-up takes this advisory lock first, so one migrates and the
// others then find the work done. The number is arbitrary but fixed.
constexpr std::int64_t kMigrationLock = 0x5261707030726575;

// The version recorded in schema_migrations; 0 for an empty database.
Result<int> read_version(Connection& db) {
  ASSIGN_OR_RETURN(const Rows exists, db.query("SELECT to_regclass('schema_migrations') IS NOT NULL"));
  if (exists.text(0, 0) != "t") return 0;
  ASSIGN_OR_RETURN(const Rows rows, db.query("SELECT coalesce(max(version), 0) FROM schema_migrations"));
  return static_cast<int>(rows.integer(0, 0));
}

Result<void> apply_migration(Connection& db, const internal::Migration& migration) {
  // The lock is taken before the transaction begins, so that the transaction sees the
  // catalog as the node that held the lock left it (a transaction already open while
  // waiting may still miss the tables that node created).
  RETURN_IF_ERROR(db.query("SELECT pg_advisory_lock($1)", Params().add(kMigrationLock)));
  Result<void> result = db.exec("BEGIN");
  // Another node may have migrated while this one waited for the lock.
  Result<int> current = result ? read_version(db) : Result<int>(tl::unexpected(result.error()));
  if (!current) result = tl::unexpected(current.error());
  if (current && *current < migration.version) {
    const std::string sql = internal::sql_for(migration, internal::Dialect::kPostgresql);
    if (!sql.empty()) result = db.exec(sql);
    if (result) {
      result = db.query(
                     "INSERT INTO schema_migrations (version, description, applied_at) VALUES "
                     "($1, $2, to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'))",
                     Params().add(migration.version).add(std::string_view(migration.description)))
                   .map([](const Rows&) {});
    }
  }
  if (result) result = db.exec("COMMIT");
  if (!result) (void)db.exec("ROLLBACK");
  (void)db.query("SELECT pg_advisory_unlock($1)", Params().add(kMigrationLock));
  if (!result) {
    return fail(ErrorCode::kStorage, fmt::format("migration {} ({}) failed: {}", migration.version,
                                                 migration.description, result.error().message));
  }
  return ok();
}

}  // namespace

Result<std::unique_ptr<Store>> open_postgresql_store(const std::string& url, const StoreOptions& options) {
  ASSIGN_OR_RETURN(Connection db, Connection::open(url));
  // A writer waits this long for another's lock before failing, as SQLite's busy timeout.
  RETURN_IF_ERROR(db.exec(fmt::format("SET lock_timeout = {}", options.busy_timeout.count())));
  ASSIGN_OR_RETURN(const int found, read_version(db));
  const int latest = latest_schema_version();
  if (found > latest) {
    return fail(ErrorCode::kSchemaTooNew,
                fmt::format("the PostgreSQL database has schema version {}, newer than this binary supports "
                            "({}); use a newer rapporteur",
                            found, latest));
  }
  if (found == 0 && options.empty == StoreOptions::Empty::kRefuse) {
    return fail(ErrorCode::kNotFound, "the PostgreSQL database holds no instance (no schema)");
  }
  const int target = options.target_version.value_or(latest);
  if (target < 1 || target > latest) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("target schema version {} is outside 1..{}", target, latest));
  }
  for (const internal::Migration& migration : internal::migrations()) {
    if (migration.version > found && migration.version <= target) {
      RETURN_IF_ERROR(apply_migration(db, migration));
    }
  }
  ASSIGN_OR_RETURN(const int version, read_version(db));
  return std::unique_ptr<Store>(std::make_unique<internal::PostgresStore>(std::move(db), version));
}

}  // namespace rapporteur::store
