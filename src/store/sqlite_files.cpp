// SQLite store: files kept by their SHA-256 and the releases of published tables.
#include "core/files.h"
#include "store/internal/sqlite_store.h"

namespace rapporteur::store::internal {

Result<std::string> SqliteStore::put_file(std::string_view bytes) {
  const std::lock_guard lock(mutex_);
  const std::string sha256 = sha256_hex(bytes);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO stored_files (sha256, size, bytes) VALUES (?1, ?2, ?3) "
                                               "ON CONFLICT (sha256) DO NOTHING"));
  RETURN_IF_ERROR(
      stmt.bind(1, sha256).bind(2, static_cast<std::int64_t>(bytes.size())).bind_blob_borrowed(3, bytes).run());
  return sha256;
}

Result<std::optional<std::string>> SqliteStore::file(const std::string& sha256) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT bytes FROM stored_files WHERE sha256 = ?1"));
  stmt.bind(1, sha256);
  ASSIGN_OR_RETURN(const bool found, stmt.step());
  if (!found) return std::optional<std::string>{};
  return std::optional<std::string>{stmt.column_blob(0)};  // An empty file is stored as NULL.
}

Result<void> SqliteStore::lock_releases() {
  // A transaction here is BEGIN IMMEDIATE: it already holds the database's write lock, which
  // serialises it with every other writer, in this process and in others.
  if (depth_ == 0) return fail(ErrorCode::kInvalidArgument, "lock_releases needs a transaction");
  return ok();
}

Result<void> SqliteStore::add_release(const ReleaseRecord& release) {
  return transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(Statement exists, db_.prepare("SELECT 1 FROM releases WHERE id = ?1"));
    exists.bind(1, release.id);
    ASSIGN_OR_RETURN(const bool found, exists.step());
    if (found) return fail(ErrorCode::kConflict, fmt::format("release '{}' exists", release.id));
    ASSIGN_OR_RETURN(Statement add, db_.prepare("INSERT INTO releases (id, created_at) VALUES (?1, ?2)"));
    RETURN_IF_ERROR(add.bind(1, release.id).bind(2, release.created_at).run());
    ASSIGN_OR_RETURN(Statement stored, db_.prepare("SELECT 1 FROM stored_files WHERE sha256 = ?1"));
    ASSIGN_OR_RETURN(Statement file, db_.prepare("INSERT INTO release_files (release_id, name, table_name, run, "
                                                 "sha256) VALUES (?1, ?2, ?3, ?4, ?5)"));
    for (const ReleaseEntry& entry : release.files) {
      stored.bind(1, entry.sha256);
      ASSIGN_OR_RETURN(const bool has, stored.step());
      stored.reset();
      if (!has) {
        return fail(ErrorCode::kNotFound, fmt::format("release '{}': file '{}' is not stored (sha256 {})", release.id,
                                                      entry.name, entry.sha256));
      }
      RETURN_IF_ERROR(file.bind(1, release.id)
                          .bind(2, entry.name)
                          .bind(3, entry.table)
                          .bind(4, entry.run)
                          .bind(5, entry.sha256)
                          .run_rebinding_all());
    }
    return ok();
  });
}

Result<ReleaseRecord> SqliteStore::release(const std::string& id) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement head, db_.prepare("SELECT created_at FROM releases WHERE id = ?1"));
  head.bind(1, id);
  ASSIGN_OR_RETURN(const bool found, head.step());
  if (!found) return fail(ErrorCode::kNotFound, fmt::format("no release '{}'", id));
  ReleaseRecord release{.id = id, .created_at = head.column_text(0), .files = {}};
  ASSIGN_OR_RETURN(Statement files, db_.prepare("SELECT name, table_name, run, sha256 FROM release_files "
                                                "WHERE release_id = ?1 ORDER BY name"));
  files.bind(1, id);
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, files.step());
    if (!row) break;
    release.files.push_back({files.column_text(0), files.column_text(1), files.column_text(2), files.column_text(3)});
  }
  return release;
}

Result<std::vector<std::string>> SqliteStore::release_ids() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT id FROM releases ORDER BY id DESC"));
  std::vector<std::string> ids;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    ids.push_back(stmt.column_text(0));
  }
  return ids;
}

Result<void> SqliteStore::remove_release(const std::string& id) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("DELETE FROM releases WHERE id = ?1"));
  return stmt.bind(1, id).run();
}

Result<std::int64_t> SqliteStore::remove_unreferenced_files() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("DELETE FROM stored_files WHERE sha256 NOT IN (SELECT sha256 FROM release_files) "
                               "AND sha256 NOT IN (SELECT file_sha256 FROM publications WHERE file_sha256 IS NOT "
                               "NULL)"));
  RETURN_IF_ERROR(stmt.run());
  return static_cast<std::int64_t>(db_.changes());
}

}  // namespace rapporteur::store::internal
