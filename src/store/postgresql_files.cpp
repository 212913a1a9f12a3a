// PostgreSQL store: files kept by their SHA-256 and the releases of published tables.
#include <fmt/format.h>

#include "core/files.h"
#include "store/internal/postgresql_store.h"

namespace rapporteur::store::internal {
namespace {

// The advisory lock publications take (lock_releases); arbitrary but fixed, and other than
// the migrations' lock.
constexpr std::int64_t kReleasesLock = 0x5261707052656c73;

}  // namespace

Result<std::string> PostgresStore::put_file(std::string_view bytes) {
  const std::lock_guard lock(mutex_);
  const std::string sha256 = sha256_hex(bytes);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("INSERT INTO stored_files (sha256, size, bytes) VALUES ($1, $2, $3) "
                             "ON CONFLICT (sha256) DO NOTHING",
                             Params().add(sha256).add(static_cast<std::int64_t>(bytes.size())).add_bytes(bytes)));
  (void)rows;
  return sha256;
}

Result<std::optional<std::string>> PostgresStore::file(const std::string& sha256) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("SELECT bytes FROM stored_files WHERE sha256 = $1", Params().add(sha256)));
  if (rows.size() == 0) return std::optional<std::string>{};
  return std::optional<std::string>{rows.bytes(0, 0)};  // An empty file is stored as NULL.
}

Result<void> PostgresStore::lock_releases() {
  const std::lock_guard lock(mutex_);
  if (depth_ == 0) return fail(ErrorCode::kInvalidArgument, "lock_releases needs a transaction");
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT pg_advisory_xact_lock($1)", Params().add(kReleasesLock)));
  (void)rows;
  return ok();
}

Result<void> PostgresStore::add_release(const ReleaseRecord& release) {
  return transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const Rows exists, db_.query("SELECT 1 FROM releases WHERE id = $1", Params().add(release.id)));
    if (exists.size() > 0) return fail(ErrorCode::kConflict, fmt::format("release '{}' exists", release.id));
    ASSIGN_OR_RETURN(const Rows added, db_.query("INSERT INTO releases (id, created_at) VALUES ($1, $2)",
                                                 Params().add(release.id).add(release.created_at)));
    (void)added;
    for (const ReleaseEntry& entry : release.files) {
      ASSIGN_OR_RETURN(const Rows stored,
                       db_.query("SELECT 1 FROM stored_files WHERE sha256 = $1", Params().add(entry.sha256)));
      if (stored.size() == 0) {
        return fail(ErrorCode::kNotFound, fmt::format("release '{}': file '{}' is not stored (sha256 {})", release.id,
                                                      entry.name, entry.sha256));
      }
      ASSIGN_OR_RETURN(
          const Rows file,
          db_.query("INSERT INTO release_files (release_id, name, table_name, run, sha256) VALUES ($1, $2, $3, $4, $5)",
                    Params().add(release.id).add(entry.name).add(entry.table).add(entry.run).add(entry.sha256)));
      (void)file;
    }
    return ok();
  });
}

Result<ReleaseRecord> PostgresStore::release(const std::string& id) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows head, db_.query("SELECT created_at FROM releases WHERE id = $1", Params().add(id)));
  if (head.size() == 0) return fail(ErrorCode::kNotFound, fmt::format("no release '{}'", id));
  ReleaseRecord release{.id = id, .created_at = head.text(0, 0), .files = {}};
  ASSIGN_OR_RETURN(const Rows files, db_.query("SELECT name, table_name, run, sha256 FROM release_files "
                                               "WHERE release_id = $1 ORDER BY name",
                                               Params().add(id)));
  for (int i = 0; i < files.size(); ++i) {
    release.files.push_back({files.text(i, 0), files.text(i, 1), files.text(i, 2), files.text(i, 3)});
  }
  return release;
}

Result<std::vector<std::string>> PostgresStore::release_ids() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT id FROM releases ORDER BY id DESC"));
  std::vector<std::string> ids;
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.text(i, 0));
  return ids;
}

Result<void> PostgresStore::remove_release(const std::string& id) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("DELETE FROM releases WHERE id = $1", Params().add(id)));
  (void)rows;
  return ok();
}

Result<std::int64_t> PostgresStore::remove_unreferenced_files() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("WITH gone AS (DELETE FROM stored_files WHERE sha256 NOT IN (SELECT sha256 FROM "
                             "release_files) AND sha256 NOT IN (SELECT file_sha256 FROM publications) RETURNING 1) "
                             "SELECT count(*) FROM gone"));
  return rows.integer(0, 0);
}

}  // namespace rapporteur::store::internal
