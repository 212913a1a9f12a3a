// SQLite store: staff accounts, sessions, the audit log and background jobs.
#include "store/internal/sqlite_store.h"

#include <algorithm>
#include <cassert>

namespace rapporteur::store::internal {

Result<void> SqliteStore::add_user(const User& u) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement find, db_.prepare("SELECT 1 FROM users WHERE name = ?1"));
  find.bind(1, u.name);
  ASSIGN_OR_RETURN(const bool exists, find.step());
  if (exists) return fail(ErrorCode::kConflict, fmt::format("user '{}' exists", u.name));
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO users (name, role, password_hash, created_at) "
                                               "VALUES (?1, ?2, ?3, ?4)"));
  return stmt.bind(1, u.name).bind(2, to_code(u.role)).bind(3, u.password_hash).bind(4, u.created_at).run();
}

Result<User> SqliteStore::user(const std::string& name) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found, read_users("WHERE name = ?1", name));
  if (found.empty()) return fail(ErrorCode::kNotFound, "no such user");
  return std::move(found.front());
}

Result<std::vector<User>> SqliteStore::users() {
  const std::lock_guard lock(mutex_);
  return read_users("", std::nullopt);
}

Result<void> SqliteStore::record_sign_in_attempt(const std::string& name, int failed_attempts,
                                                 const std::string& locked_until) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("UPDATE users SET failed_attempts = ?2, locked_until = ?3 WHERE name = ?1"));
  return stmt.bind(1, name).bind(2, failed_attempts).bind(3, locked_until).run();
}

Result<void> SqliteStore::add_session(const Session& session) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO sessions (token_hash, user_name, csrf_token, expires_at) "
                                               "VALUES (?1, ?2, ?3, ?4)"));
  return stmt.bind(1, session.token_hash)
      .bind(2, session.user_name)
      .bind(3, session.csrf_token)
      .bind(4, session.expires_at)
      .run();
}

Result<Session> SqliteStore::session(const std::string& token_hash, const std::string& now) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT user_name, csrf_token, expires_at FROM sessions "
                                               "WHERE token_hash = ?1 AND expires_at > ?2"));
  stmt.bind(1, token_hash).bind(2, now);
  ASSIGN_OR_RETURN(const bool found, stmt.step());
  if (!found) return fail(ErrorCode::kNotFound, "no such session");
  return Session{token_hash, stmt.column_text(0), stmt.column_text(1), stmt.column_text(2)};
}

Result<void> SqliteStore::delete_session(const std::string& token_hash) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("DELETE FROM sessions WHERE token_hash = ?1"));
  return stmt.bind(1, token_hash).run();
}

Result<void> SqliteStore::audit(const AuditEntry& entry) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO audit_log (at, user_name, action, detail) "
                                               "VALUES (?1, ?2, ?3, ?4)"));
  return stmt.bind(1, entry.at).bind(2, entry.user_name).bind(3, entry.action).bind(4, entry.detail).run();
}

Result<std::vector<AuditEntry>> SqliteStore::audit_log(int limit) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT at, user_name, action, detail FROM audit_log "
                                               "ORDER BY id DESC LIMIT ?1"));
  stmt.bind(1, limit);
  std::vector<AuditEntry> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    result.push_back({stmt.column_text(0), stmt.column_text(1), stmt.column_text(2), stmt.column_text(3)});
  }
  return result;
}

Result<std::int64_t> SqliteStore::add_job(const JobRecord& job) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("INSERT INTO jobs (kind, title, owner, started, status, link, link_text, node, "
                               "heartbeat, parameters, upload) VALUES (?1, ?2, ?3, ?4, ?8, ?5, ?6, ?7, ?4, ?9, ?10)"));
  RETURN_IF_ERROR(stmt.bind(1, job.kind)
                      .bind(2, job.title)
                      .bind(3, job.owner)
                      .bind(4, job.started)
                      .bind(5, job.link)
                      .bind(6, job.link_text)
                      .bind(7, job.node)
                      .bind(8, job.status)
                      .bind(9, job.parameters)
                      .bind(10, job.upload)
                      .run());
  return db_.last_insert_rowid();
}

Result<void> SqliteStore::finish_job(std::int64_t id, const std::string& status, const std::string& output,
                                     const std::string& messages, const std::string& finished) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("UPDATE jobs SET status = ?2, output = ?3, messages = ?4, progress = -1, "
                               "finished = ?5 WHERE id = ?1"));
  RETURN_IF_ERROR(stmt.bind(1, id).bind(2, status).bind(3, output).bind(4, messages).bind(5, finished).run());
  if (db_.changes() == 0) return fail(ErrorCode::kNotFound, fmt::format("no job {}", id));
  return ok();
}

Result<std::vector<JobRecord>> SqliteStore::jobs(int limit) {
  const std::lock_guard lock(mutex_);
  return read_jobs("ORDER BY id DESC LIMIT ?1", limit);
}

Result<JobRecord> SqliteStore::job(std::int64_t id) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found, read_jobs("WHERE id = ?1", id));
  if (found.empty()) return fail(ErrorCode::kNotFound, fmt::format("no job {}", id));
  return std::move(found.front());
}

Result<std::int64_t> SqliteStore::interrupt_running_jobs(const std::string& now) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("UPDATE jobs SET status = 'interrupted', finished = ?1 "
                                               "WHERE status = 'running'"));
  RETURN_IF_ERROR(stmt.bind(1, now).run());
  return db_.changes();
}

Result<std::int64_t> SqliteStore::beat_jobs(const std::string& node, const std::string& now) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("UPDATE jobs SET heartbeat = ?2 WHERE node = ?1 AND status = 'running'"));
  RETURN_IF_ERROR(stmt.bind(1, node).bind(2, now).run());
  return db_.changes();
}

Result<std::int64_t> SqliteStore::interrupt_abandoned_jobs(const std::string& node, const std::string& now,
                                                           std::chrono::seconds stale_after) {
  const std::lock_guard lock(mutex_);
  // One writer at a time: SQLite has no rows another node could be writing meanwhile.
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare("UPDATE jobs SET status = 'interrupted', finished = ?2 WHERE status = 'running' "
                               "AND (node = ?1 OR heartbeat < strftime('%Y-%m-%dT%H:%M:%SZ', ?2, ?3))"));
  RETURN_IF_ERROR(stmt.bind(1, node).bind(2, now).bind(3, fmt::format("-{} seconds", stale_after.count())).run());
  return db_.changes();
}

namespace {

constexpr const char* kJobColumns =
    "id, kind, title, owner, started, finished, status, output, messages, link, link_text, node, heartbeat, "
    "progress, parameters, upload, cancel_requested";

JobRecord job_from(const Statement& stmt) {
  JobRecord job{stmt.column_int(0),  stmt.column_text(1), stmt.column_text(2),  stmt.column_text(3),
                stmt.column_text(4), stmt.column_text(5), stmt.column_text(6),  stmt.column_text(7),
                stmt.column_text(8), stmt.column_text(9), stmt.column_text(10), stmt.column_text(11),
                stmt.column_text(12)};
  const std::int64_t millionths = stmt.column_int(13);
  job.progress = millionths < 0 ? -1.0 : static_cast<double>(millionths) / 1e6;
  job.parameters = stmt.column_text(14);
  job.upload = stmt.column_text(15);
  job.cancel_requested = stmt.column_int(16) != 0;
  return job;
}

}  // namespace

Result<std::vector<JobRecord>> SqliteStore::read_jobs(const char* clause, std::int64_t argument) {
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare(fmt::format("SELECT {} FROM jobs {}", kJobColumns, clause)));
  stmt.bind(1, argument);
  std::vector<JobRecord> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    result.push_back(job_from(stmt));
  }
  return result;
}

Result<std::optional<JobRecord>> SqliteStore::claim_job(const std::string& node, const std::string& now) {
  const std::lock_guard lock(mutex_);
  // Workers ask often and mostly find nothing: a read first, which a long write elsewhere (an
  // intake load) does not block, so that an idle worker never waits for the write lock while
  // holding this connection.
  {
    // Finalised before the write: a read left open would pin an older snapshot, which a write
    // from this connection could not build on.
    ASSIGN_OR_RETURN(Statement look, db_.prepare("SELECT 1 FROM jobs WHERE status = 'queued' LIMIT 1"));
    ASSIGN_OR_RETURN(const bool any, look.step());
    if (!any) return std::optional<JobRecord>();
  }
  // One statement is one write transaction: SQLite lets one writer in at a time, across
  // connections and processes, so the row it picks is still queued when it is updated.
  ASSIGN_OR_RETURN(Statement stmt,
                   db_.prepare(fmt::format("UPDATE jobs SET status = 'running', node = ?1, heartbeat = ?2 "
                                           "WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id "
                                           "LIMIT 1) AND status = 'queued' RETURNING {}",
                                           kJobColumns)));
  stmt.bind(1, node).bind(2, now);
  ASSIGN_OR_RETURN(const bool row, stmt.step());
  if (!row) return std::optional<JobRecord>();
  JobRecord job = job_from(stmt);
  ASSIGN_OR_RETURN([[maybe_unused]] const bool more, stmt.step());  // Completes the statement (and its write).
  assert(!more && "one row claimed");
  return std::optional<JobRecord>(std::move(job));
}

Result<JobRecord> SqliteStore::cancel_job(std::int64_t id, const std::string& now) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(
      Statement stmt,
      db_.prepare(fmt::format("UPDATE jobs SET "
                              "finished = CASE WHEN status = 'queued' THEN ?2 ELSE finished END, "
                              "cancel_requested = CASE WHEN status = 'running' THEN 1 ELSE cancel_requested END, "
                              "status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END "
                              "WHERE id = ?1 AND status IN ('queued', 'running') RETURNING {}",
                              kJobColumns)));
  stmt.bind(1, id).bind(2, now);
  ASSIGN_OR_RETURN(const bool row, stmt.step());
  if (!row) return fail(ErrorCode::kNotFound, fmt::format("job {} is neither queued nor running", id));
  JobRecord job = job_from(stmt);
  ASSIGN_OR_RETURN([[maybe_unused]] const bool more, stmt.step());
  assert(!more && "one row by id");
  return job;
}

Result<std::vector<std::int64_t>> SqliteStore::cancel_requested_jobs(const std::string& node) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT id FROM jobs WHERE node = ?1 AND status = 'running' "
                                               "AND cancel_requested <> 0 ORDER BY id"));
  stmt.bind(1, node);
  std::vector<std::int64_t> ids;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    ids.push_back(stmt.column_int(0));
  }
  return ids;
}

Result<void> SqliteStore::set_job_progress(std::int64_t id, double fraction) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("UPDATE jobs SET progress = ?2 WHERE id = ?1 AND status = 'running'"));
  return stmt.bind(1, id).bind(2, static_cast<std::int64_t>(std::clamp(fraction, 0.0, 1.0) * 1e6)).run();
}

Result<void> SqliteStore::set_job_output(std::int64_t id, const std::string& output, const std::string& messages) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("UPDATE jobs SET output = ?2, messages = ?3 "
                                               "WHERE id = ?1 AND status = 'running'"));
  return stmt.bind(1, id).bind_borrowed(2, output).bind_borrowed(3, messages).run();
}

Result<std::vector<std::string>> SqliteStore::take_ended_job_uploads() {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement select, db_.prepare("SELECT id, upload FROM jobs WHERE upload <> '' "
                                                 "AND status NOT IN ('queued', 'running') ORDER BY id"));
  std::vector<std::pair<std::int64_t, std::string>> taken;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, select.step());
    if (!row) break;
    taken.emplace_back(select.column_int(0), select.column_text(1));
  }
  std::vector<std::string> uploads;
  for (auto& [id, upload] : taken) {
    ASSIGN_OR_RETURN(Statement clear, db_.prepare("UPDATE jobs SET upload = '' WHERE id = ?1"));
    RETURN_IF_ERROR(clear.bind(1, id).run());
    uploads.push_back(std::move(upload));
  }
  return uploads;
}

namespace {

std::int64_t epoch_ms(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

}  // namespace

Result<void> SqliteStore::add_address_failure(const std::string& address, std::chrono::system_clock::time_point at,
                                              std::chrono::system_clock::time_point forget_through) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement forget, db_.prepare("DELETE FROM sign_in_failures WHERE failed_at <= ?1"));
  RETURN_IF_ERROR(forget.bind(1, epoch_ms(forget_through)).run());
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("INSERT INTO sign_in_failures (address, failed_at) VALUES (?1, ?2)"));
  return stmt.bind(1, address).bind(2, epoch_ms(at)).run();
}

Result<std::vector<std::chrono::system_clock::time_point>> SqliteStore::address_failures(
    const std::string& address, std::chrono::system_clock::time_point since) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT failed_at FROM sign_in_failures WHERE address = ?1 "
                                               "AND failed_at > ?2 ORDER BY failed_at, id"));
  stmt.bind(1, address).bind(2, epoch_ms(since));
  std::vector<std::chrono::system_clock::time_point> times;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    times.emplace_back(std::chrono::milliseconds(stmt.column_int(0)));
  }
  return times;
}

Result<std::vector<User>> SqliteStore::read_users(const std::string& where,
                                                  const std::optional<std::string>& argument) {
  ASSIGN_OR_RETURN(Statement stmt, db_.prepare("SELECT name, role, password_hash, created_at, failed_attempts, "
                                               "locked_until FROM users " +
                                               where + " ORDER BY name"));
  if (argument) stmt.bind(1, *argument);
  std::vector<User> result;
  for (;;) {
    ASSIGN_OR_RETURN(const bool row, stmt.step());
    if (!row) break;
    User u;
    u.name = stmt.column_text(0);
    ASSIGN_OR_RETURN(u.role, stored(parse_user_role(stmt.column_text(1)), "users.role"));
    u.password_hash = stmt.column_text(2);
    u.created_at = stmt.column_text(3);
    u.failed_attempts = static_cast<int>(stmt.column_int(4));
    u.locked_until = stmt.column_text(5);
    result.push_back(std::move(u));
  }
  return result;
}

}  // namespace rapporteur::store::internal
