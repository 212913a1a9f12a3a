// SQLite backend of the Store interface: opening, migrations, transactions and instance
// settings; the other areas are in sqlite_*.cpp beside it.
#include "store/internal/sqlite_store.h"

#include "store/internal/migrations.h"

namespace rapporteur::store {
namespace internal {

Result<void> SqliteStore::transact(const std::function<Result<void>()>& work) {
  const std::lock_guard lock(mutex_);
  const int depth = depth_;
  const std::string savepoint = fmt::format("sp{}", depth);
  RETURN_IF_ERROR(db_.exec(depth == 0 ? std::string("BEGIN IMMEDIATE") : "SAVEPOINT " + savepoint));
  ++depth_;
  Result<void> result = work();
  --depth_;
  if (result) {
    Result<void> committed = db_.exec(depth == 0 ? std::string("COMMIT") : "RELEASE " + savepoint);
    if (committed) {
      return ok();
    }
    result = std::move(committed);
  }
  // Roll back everything the work wrote; the original error is what the caller needs.
  if (depth == 0) {
    (void)db_.exec("ROLLBACK");
  } else {
    (void)db_.exec(fmt::format("ROLLBACK TO {0}; RELEASE {0}", savepoint));
  }
  return result;
}

Result<void> SqliteStore::set_meta(const std::string& key, const std::string& value) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO instance_meta (key, value) VALUES (?1, ?2) "
                                               "ON CONFLICT (key) DO UPDATE SET value = excluded.value"));
  return stmt.bind(1, key).bind(2, value).run();
}

Result<std::string> SqliteStore::get_meta(const std::string& key) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT value FROM instance_meta WHERE key = ?1"));
  stmt.bind(1, key);
  ASSIGN_OR_RETURN(const bool found, stmt.step());
  if (!found) {
    return fail(ErrorCode::kNotFound, fmt::format("no instance setting '{}'", key));
  }
  return stmt.column_text(0);
}

}  // namespace internal

namespace {

using internal::Database;
using internal::Statement;

Result<int> read_user_version(Database& db) {
  ASSIGN_OR_RETURN(Statement stmt, db.prepare("PRAGMA user_version"));
  ASSIGN_OR_RETURN(const bool row, stmt.step());
  assert(row && "PRAGMA user_version always yields a row");
  (void)row;
  return static_cast<int>(stmt.column_int(0));
}

Result<void> apply_migration(Database& db, const internal::Migration& migration) {
  RETURN_IF_ERROR(db.exec("BEGIN IMMEDIATE"));
  // Another process may have migrated while this one waited for the lock.
  auto current = read_user_version(db);
  Result<void> result = current ? ok() : Result<void>(tl::unexpected(current.error()));
  if (current && *current < migration.version) {
    result = db.exec(migration.sql);
    if (result) {
      auto record = db.prepare(
          "INSERT INTO schema_migrations (version, description, applied_at) "
          "VALUES (?1, ?2, strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))");
      result = record ? record->bind(1, migration.version).bind(2, std::string_view(migration.description)).run()
                      : Result<void>(tl::unexpected(record.error()));
    }
    if (result) {
      result = db.exec(fmt::format("PRAGMA user_version = {}", migration.version));
    }
  }
  if (result) {
    result = db.exec("COMMIT");
  }
  if (!result) {
    (void)db.exec("ROLLBACK");
    return fail(ErrorCode::kStorage, fmt::format("migration {} ({}) failed: {}", migration.version,
                                                 migration.description, result.error().message));
  }
  return ok();
}

}  // namespace

std::string_view to_code(UserRole role) {
  switch (role) {
    case UserRole::kAdmin:
      return "admin";
    case UserRole::kResearcher:
      return "researcher";
    case UserRole::kEditor:
      return "editor";
  }
  return "";
}

Result<UserRole> parse_user_role(std::string_view code) {
  if (code == "admin") return UserRole::kAdmin;
  if (code == "researcher") return UserRole::kResearcher;
  if (code == "editor") return UserRole::kEditor;
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown role '{}' (expected admin, researcher or editor)", code));
}

std::string_view to_code(ReviewDecision decision) {
  switch (decision) {
    case ReviewDecision::kMatch:
      return "match";
    case ReviewDecision::kNonMatch:
      return "non-match";
    case ReviewDecision::kUnsure:
      return "unsure";
  }
  return "";
}

Result<ReviewDecision> parse_review_decision(std::string_view code) {
  if (code == "match") return ReviewDecision::kMatch;
  if (code == "non-match") return ReviewDecision::kNonMatch;
  if (code == "unsure") return ReviewDecision::kUnsure;
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown decision '{}' (expected match, non-match or unsure)", code));
}

int latest_schema_version() { return internal::migrations().back().version; }

Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path, const StoreOptions& options) {
  ASSIGN_OR_RETURN(Database db, Database::open(path.string()));
  RETURN_IF_ERROR(db.exec(fmt::format("PRAGMA busy_timeout = {}", options.busy_timeout.count())));
  // FULL makes every commit durable across power loss, not only across a process crash.
  // A 64 MiB page cache keeps the indexes of large batch loads in memory.
  RETURN_IF_ERROR(
      db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA cache_size = -65536; "
              "PRAGMA foreign_keys = ON"));
  ASSIGN_OR_RETURN(const int found, read_user_version(db));
  const int latest = latest_schema_version();
  if (found > latest) {
    return fail(ErrorCode::kSchemaTooNew,
                fmt::format("database '{}' has schema version {}, newer than this binary supports "
                            "({}); use a newer rapporteur",
                            path.string(), found, latest));
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
  if (found < target) {
    // A migration may rewrite rows to remove data (version 10 removes quarantined values):
    // copy its pages into the database file and empty the log, which would otherwise keep
    // the old pages until it is overwritten.
    RETURN_IF_ERROR(db.exec("PRAGMA wal_checkpoint(TRUNCATE)"));
  }
  ASSIGN_OR_RETURN(const int version, read_user_version(db));
  return std::unique_ptr<Store>(std::make_unique<internal::SqliteStore>(std::move(db), version));
}

}  // namespace rapporteur::store
