// PostgreSQL store: staff accounts, sessions, the audit log and background jobs.
#include "store/internal/postgresql_store.h"

#include <algorithm>

namespace rapporteur::store::internal {

Result<void> PostgresStore::add_user(const User& u) {
  const std::lock_guard lock(mutex_);
  // Two nodes adding one name at once: the unique index refuses the second (kConflict too).
  const auto inserted = db_.query(
      "INSERT INTO users (name, role, password_hash, created_at) VALUES ($1, $2, $3, $4) "
      "ON CONFLICT (name) DO NOTHING",
      Params().add(u.name).add(to_code(u.role)).add(u.password_hash).add(u.created_at));
  if (!inserted) return tl::unexpected(inserted.error());
  if (inserted->changed() == 0) return fail(ErrorCode::kConflict, fmt::format("user '{}' exists", u.name));
  return ok();
}

Result<User> PostgresStore::user(const std::string& name) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found, read_users("WHERE name = $1", name));
  if (found.empty()) return fail(ErrorCode::kNotFound, "no such user");
  return std::move(found.front());
}

Result<std::vector<User>> PostgresStore::users() {
  const std::lock_guard lock(mutex_);
  return read_users("", std::nullopt);
}

Result<void> PostgresStore::record_sign_in_attempt(const std::string& name, int failed_attempts,
                                                   const std::string& locked_until) {
  const std::lock_guard lock(mutex_);
  return db_
      .query("UPDATE users SET failed_attempts = $2, locked_until = $3 WHERE name = $1",
             Params().add(name).add(failed_attempts).add(locked_until))
      .map([](const Rows&) {});
}

Result<void> PostgresStore::add_session(const Session& session) {
  const std::lock_guard lock(mutex_);
  return db_
      .query("INSERT INTO sessions (token_hash, user_name, csrf_token, expires_at) VALUES ($1, $2, $3, $4)",
             Params().add(session.token_hash).add(session.user_name).add(session.csrf_token).add(session.expires_at))
      .map([](const Rows&) {});
}

Result<Session> PostgresStore::session(const std::string& token_hash, const std::string& now) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT user_name, csrf_token, expires_at FROM sessions "
                                              "WHERE token_hash = $1 AND expires_at COLLATE \"C\" > $2",
                                              Params().add(token_hash).add(now)));
  if (rows.size() == 0) return fail(ErrorCode::kNotFound, "no such session");
  return Session{token_hash, rows.text(0, 0), rows.text(0, 1), rows.text(0, 2)};
}

Result<void> PostgresStore::delete_session(const std::string& token_hash) {
  const std::lock_guard lock(mutex_);
  return db_.query("DELETE FROM sessions WHERE token_hash = $1", Params().add(token_hash)).map([](const Rows&) {});
}

Result<void> PostgresStore::audit(const AuditEntry& entry) {
  const std::lock_guard lock(mutex_);
  return db_
      .query("INSERT INTO audit_log (at, user_name, action, detail) VALUES ($1, $2, $3, $4)",
             Params().add(entry.at).add(entry.user_name).add(entry.action).add(entry.detail))
      .map([](const Rows&) {});
}

Result<std::vector<AuditEntry>> PostgresStore::audit_log(int limit) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT at, user_name, action, detail FROM audit_log "
                                              "ORDER BY id DESC LIMIT $1",
                                              Params().add(limit)));
  std::vector<AuditEntry> result;
  for (int i = 0; i < rows.size(); ++i) {
    result.push_back({rows.text(i, 0), rows.text(i, 1), rows.text(i, 2), rows.text(i, 3)});
  }
  return result;
}

Result<std::int64_t> PostgresStore::add_job(const JobRecord& job) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("INSERT INTO jobs (kind, title, owner, started, status, link, "
                                              "link_text, node, heartbeat, parameters, upload) VALUES ($1, $2, $3, "
                                              "$4, $8, $5, $6, $7, $4, $9, $10) RETURNING id",
                                              Params()
                                                  .add(job.kind)
                                                  .add(job.title)
                                                  .add(job.owner)
                                                  .add(job.started)
                                                  .add(job.link)
                                                  .add(job.link_text)
                                                  .add(job.node)
                                                  .add(job.status)
                                                  .add(job.parameters)
                                                  .add(job.upload)));
  return rows.integer(0, 0);
}

Result<void> PostgresStore::finish_job(std::int64_t id, const std::string& status, const std::string& output,
                                       const std::string& messages, const std::string& finished) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("UPDATE jobs SET status = $2, output = $3, messages = $4, progress = -1, "
                                              "finished = $5 WHERE id = $1",
                                              Params().add(id).add(status).add(output).add(messages).add(finished)));
  if (rows.changed() == 0) return fail(ErrorCode::kNotFound, fmt::format("no job {}", id));
  return ok();
}

Result<std::vector<JobRecord>> PostgresStore::jobs(int limit) {
  const std::lock_guard lock(mutex_);
  return read_jobs("ORDER BY id DESC LIMIT $1", limit);
}

Result<JobRecord> PostgresStore::job(std::int64_t id) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(auto found, read_jobs("WHERE id = $1", id));
  if (found.empty()) return fail(ErrorCode::kNotFound, fmt::format("no job {}", id));
  return std::move(found.front());
}

Result<std::int64_t> PostgresStore::interrupt_running_jobs(const std::string& now) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("UPDATE jobs SET status = 'interrupted', finished = $1 "
                                              "WHERE status = 'running'",
                                              Params().add(now)));
  return rows.changed();
}

Result<std::int64_t> PostgresStore::beat_jobs(const std::string& node, const std::string& now) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("UPDATE jobs SET heartbeat = $2 WHERE node = $1 AND status = 'running'",
                                              Params().add(node).add(now)));
  return rows.changed();
}

Result<std::int64_t> PostgresStore::interrupt_abandoned_jobs(const std::string& node, const std::string& now,
                                                             std::chrono::seconds stale_after) {
  const std::lock_guard lock(mutex_);
  // SKIP LOCKED: a job row a live node is writing (finishing it, beating) is its node's, so
  // it is left to it rather than waited for; two nodes starting at once split the rest.
  ASSIGN_OR_RETURN(
      const Rows rows,
      db_.query("UPDATE jobs SET status = 'interrupted', finished = $2 WHERE id IN (SELECT id FROM jobs "
                "WHERE status = 'running' AND (node = $1 OR heartbeat COLLATE \"C\" < to_char(($4::timestamptz - "
                "make_interval(secs => $3)) AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"')) "
                "FOR UPDATE SKIP LOCKED)",
                // `now` twice: as the text stored and as the time computed with (one parameter
                // cannot have both types).
                Params().add(node).add(now).add(static_cast<std::int64_t>(stale_after.count())).add(now)));
  return rows.changed();
}

namespace {

constexpr const char* kJobColumns =
    "id, kind, title, owner, started, finished, status, output, messages, link, link_text, node, heartbeat, "
    "progress, parameters, upload, cancel_requested";

JobRecord job_from(const Rows& rows, int i) {
  JobRecord job{rows.integer(i, 0), rows.text(i, 1),  rows.text(i, 2), rows.text(i, 3), rows.text(i, 4),
                rows.text(i, 5),    rows.text(i, 6),  rows.text(i, 7), rows.text(i, 8), rows.text(i, 9),
                rows.text(i, 10),   rows.text(i, 11), rows.text(i, 12)};
  const std::int64_t millionths = rows.integer(i, 13);
  job.progress = millionths < 0 ? -1.0 : static_cast<double>(millionths) / 1e6;
  job.parameters = rows.text(i, 14);
  job.upload = rows.text(i, 15);
  job.cancel_requested = rows.integer(i, 16) != 0;
  return job;
}

std::int64_t epoch_ms(std::chrono::system_clock::time_point at) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count();
}

}  // namespace

Result<std::vector<JobRecord>> PostgresStore::read_jobs(const std::string& clause, std::int64_t argument) {
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query(fmt::format("SELECT {} FROM jobs {}", kJobColumns, clause), Params().add(argument)));
  std::vector<JobRecord> result;
  for (int i = 0; i < rows.size(); ++i) result.push_back(job_from(rows, i));
  return result;
}

Result<std::optional<JobRecord>> PostgresStore::claim_job(const std::string& node, const std::string& now) {
  const std::lock_guard lock(mutex_);
  // SKIP LOCKED: a queued row another node is claiming at this moment is passed over, not
  // waited for, so each claimer gets a different job (or none); `status = 'queued'` outside
  // the subquery guards against a row that stopped being queued since.
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query(fmt::format("UPDATE jobs SET status = 'running', node = $1, heartbeat = $2 "
                                         "WHERE id = (SELECT id FROM jobs WHERE status = 'queued' ORDER BY id "
                                         "FOR UPDATE SKIP LOCKED LIMIT 1) AND status = 'queued' RETURNING {}",
                                         kJobColumns),
                             Params().add(node).add(now)));
  if (rows.size() == 0) return std::optional<JobRecord>();
  return std::optional<JobRecord>(job_from(rows, 0));
}

Result<JobRecord> PostgresStore::cancel_job(std::int64_t id, const std::string& now) {
  const std::lock_guard lock(mutex_);
  // The CASEs read the row's values before the update, so a queued job is cancelled and a
  // running one flagged in one statement.
  ASSIGN_OR_RETURN(
      const Rows rows,
      db_.query(fmt::format("UPDATE jobs SET "
                            "finished = CASE WHEN status = 'queued' THEN $2 ELSE finished END, "
                            "cancel_requested = CASE WHEN status = 'running' THEN 1 ELSE cancel_requested END, "
                            "status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END "
                            "WHERE id = $1 AND status IN ('queued', 'running') RETURNING {}",
                            kJobColumns),
                Params().add(id).add(now)));
  if (rows.size() == 0) return fail(ErrorCode::kNotFound, fmt::format("job {} is neither queued nor running", id));
  return job_from(rows, 0);
}

Result<std::vector<std::int64_t>> PostgresStore::cancel_requested_jobs(const std::string& node) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT id FROM jobs WHERE node = $1 AND status = 'running' "
                                              "AND cancel_requested <> 0 ORDER BY id",
                                              Params().add(node)));
  std::vector<std::int64_t> ids;
  for (int i = 0; i < rows.size(); ++i) ids.push_back(rows.integer(i, 0));
  return ids;
}

Result<void> PostgresStore::set_job_progress(std::int64_t id, double fraction) {
  const std::lock_guard lock(mutex_);
  return db_
      .query("UPDATE jobs SET progress = $2 WHERE id = $1 AND status = 'running'",
             Params().add(id).add(static_cast<std::int64_t>(std::clamp(fraction, 0.0, 1.0) * 1e6)))
      .map([](const Rows&) {});
}

Result<void> PostgresStore::set_job_output(std::int64_t id, const std::string& output, const std::string& messages) {
  const std::lock_guard lock(mutex_);
  return db_
      .query("UPDATE jobs SET output = $2, messages = $3 WHERE id = $1 AND status = 'running'",
             Params().add(id).add(output).add(messages))
      .map([](const Rows&) {});
}

Result<std::vector<std::string>> PostgresStore::take_ended_job_uploads() {
  const std::lock_guard lock(mutex_);
  // The subquery reads the rows before the update, so RETURNING gives the uploads cleared.
  ASSIGN_OR_RETURN(const Rows rows,
                   db_.query("UPDATE jobs SET upload = '' FROM (SELECT id, upload FROM jobs WHERE upload <> '' "
                             "AND status NOT IN ('queued', 'running') FOR UPDATE SKIP LOCKED) AS taken "
                             "WHERE jobs.id = taken.id RETURNING taken.upload",
                             Params()));
  std::vector<std::string> uploads;
  for (int i = 0; i < rows.size(); ++i) uploads.push_back(rows.text(i, 0));
  return uploads;
}

Result<void> PostgresStore::add_address_failure(const std::string& address, std::chrono::system_clock::time_point at,
                                                std::chrono::system_clock::time_point forget_through) {
  const std::lock_guard lock(mutex_);
  RETURN_IF_ERROR(
      db_.query("DELETE FROM sign_in_failures WHERE failed_at <= $1", Params().add(epoch_ms(forget_through)))
          .map([](const Rows&) {}));
  return db_
      .query("INSERT INTO sign_in_failures (address, failed_at) VALUES ($1, $2)",
             Params().add(address).add(epoch_ms(at)))
      .map([](const Rows&) {});
}

Result<std::vector<std::chrono::system_clock::time_point>> PostgresStore::address_failures(
    const std::string& address, std::chrono::system_clock::time_point since) {
  const std::lock_guard lock(mutex_);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT failed_at FROM sign_in_failures WHERE address = $1 "
                                              "AND failed_at > $2 ORDER BY failed_at, id",
                                              Params().add(address).add(epoch_ms(since))));
  std::vector<std::chrono::system_clock::time_point> times;
  for (int i = 0; i < rows.size(); ++i) times.emplace_back(std::chrono::milliseconds(rows.integer(i, 0)));
  return times;
}

Result<std::vector<User>> PostgresStore::read_users(const std::string& where,
                                                    const std::optional<std::string>& argument) {
  Params params;
  if (argument) params.add(*argument);
  ASSIGN_OR_RETURN(const Rows rows, db_.query("SELECT name, role, password_hash, created_at, failed_attempts, "
                                              "locked_until FROM users " +
                                                  where + " ORDER BY name COLLATE \"C\"",
                                              params));
  std::vector<User> result;
  for (int i = 0; i < rows.size(); ++i) {
    User u;
    u.name = rows.text(i, 0);
    ASSIGN_OR_RETURN(u.role, stored(parse_user_role(rows.text(i, 1)), "users.role"));
    u.password_hash = rows.text(i, 2);
    u.created_at = rows.text(i, 3);
    u.failed_attempts = static_cast<int>(rows.integer(i, 4));
    u.locked_until = rows.text(i, 5);
    result.push_back(std::move(u));
  }
  return result;
}

}  // namespace rapporteur::store::internal
