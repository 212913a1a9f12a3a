// The staff role of the store: accounts, sessions, sign-in attempts, the audit log and the
// workspace's background jobs. Used by auth and the staff workspace's job runner.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/meta_store.h"

namespace rapporteur::store {

enum class UserRole { kAdmin, kResearcher, kEditor };
std::string_view to_code(UserRole role);
// kInvalidArgument for a code other than admin, researcher and editor.
Result<UserRole> parse_user_role(std::string_view code);

// A staff account. Only the argon2id hash of the password is stored.
struct User {
  std::string name;
  UserRole role = UserRole::kResearcher;
  std::string password_hash;  // argon2id encoded string.
  std::string created_at;     // UTC, ISO 8601.
  int failed_attempts = 0;    // Consecutive failed sign-ins.
  std::string locked_until;   // UTC, ISO 8601; "" when not locked.
};

// A signed-in session, found by the SHA-256 of its cookie token (the token itself is never
// stored).
struct Session {
  std::string token_hash;
  std::string user_name;
  std::string csrf_token;
  std::string expires_at;  // UTC, ISO 8601.
};

struct AuditEntry {
  std::string at;  // UTC, ISO 8601.
  std::string user_name;
  std::string action;  // E.g. "sign_in", "intake_load", "publish".
  std::string detail;
};

// A background job of the staff workspace (a command run for a user) and what it printed.
struct JobRecord {
  std::int64_t id = 0;  // Given by add_job.
  std::string kind;     // E.g. "intake", "estimate", "protect", "publish", "report".
  std::string title;
  std::string owner;     // The staff user who started it.
  std::string started;   // UTC, ISO 8601.
  std::string finished;  // Empty while running.
  // "queued", "running", "done", "failed", "cancelled" or "interrupted".
  std::string status = "running";
  std::string output;    // Its standard output.
  std::string messages;  // Its progress and error lines.
  std::string link;      // A page with the result, if any.
  std::string link_text;
  std::string node;               // The web node running it ("" for a single server or while queued).
  std::string heartbeat;          // UTC, ISO 8601: when its node last said it still runs it.
  double progress = -1;           // The fraction done when the work said (kept to a millionth); else -1.
  std::string parameters;         // What its kind's handler rebuilds the work from (JSON); "" for none.
  std::string upload;             // A file it reads once, removed when it ends; "" for none.
  bool cancel_requested = false;  // Someone asked it to stop; its node sees it and stops it.
};

class StaffStore : public virtual MetaStore {
 public:
  // Staff accounts. add_user fails with kConflict when the name exists; user with kNotFound
  // when it does not; users lists them by name. record_sign_in_attempt sets the failure
  // count and lock (an unknown name changes nothing).
  virtual Result<void> add_user(const User& user) = 0;
  virtual Result<User> user(const std::string& name) = 0;
  virtual Result<std::vector<User>> users() = 0;
  virtual Result<void> record_sign_in_attempt(const std::string& name, int failed_attempts,
                                              const std::string& locked_until) = 0;
  // Sessions: kNotFound for an unknown or expired (expires_at <= now) one. add_session
  // fails (kStorage) for a user that does not exist; deleting an unknown session is no error.
  virtual Result<void> add_session(const Session& session) = 0;
  virtual Result<Session> session(const std::string& token_hash, const std::string& now) = 0;
  virtual Result<void> delete_session(const std::string& token_hash) = 0;
  // The audit log: append only; newest first, at most `limit`.
  virtual Result<void> audit(const AuditEntry& entry) = 0;
  virtual Result<std::vector<AuditEntry>> audit_log(int limit) = 0;

  // Background jobs. add_job stores a job as `job.status` says ("running" on `job.node`, or
  // "queued" for any node to claim) with its parameters and upload, and returns its id; finish_job records how
  // it ended (kNotFound for an unknown id); jobs lists the newest first, at most `limit`;
  // job gives one (kNotFound). interrupt_running_jobs marks every job still "running" as
  // "interrupted" (for a server starting after one that stopped mid-job) and counts them.
  virtual Result<std::int64_t> add_job(const JobRecord& job) = 0;
  virtual Result<void> finish_job(std::int64_t id, const std::string& status, const std::string& output,
                                  const std::string& messages, const std::string& finished) = 0;
  virtual Result<std::vector<JobRecord>> jobs(int limit) = 0;
  virtual Result<JobRecord> job(std::int64_t id) = 0;
  virtual Result<std::int64_t> interrupt_running_jobs(const std::string& now) = 0;

  // Several nodes on one database. add_job records `job.node` and starts its heartbeat at
  // `job.started`; beat_jobs sets the heartbeat of `node`'s running jobs to `now` and counts
  // them. interrupt_abandoned_jobs marks "interrupted" (finished at `now`) every running job
  // that `node` itself left (it is starting again) or whose heartbeat is more than
  // `stale_after` before `now` (its node stopped), leaving live peers' jobs alone, and counts
  // them. Jobs another node is writing at that moment are skipped, not waited for.
  virtual Result<std::int64_t> beat_jobs(const std::string& node, const std::string& now) = 0;
  virtual Result<std::int64_t> interrupt_abandoned_jobs(const std::string& node, const std::string& now,
                                                        std::chrono::seconds stale_after) = 0;

  // The job queue. claim_job takes the oldest queued job atomically (no two callers, on any
  // node, get the same job), sets it running on `node` with its heartbeat at `now`, and
  // returns it as it now stands; nullopt when none is queued. cancel_job ends a queued job
  // "cancelled" at once (finished at `now`) and marks a running one cancel_requested, for its
  // node to stop; it returns the job as it now stands (its status says which happened: the
  // caller removes a cancelled job's upload), kNotFound when no job `id` is queued or
  // running. cancel_requested_jobs lists the ids of `node`'s running jobs marked so.
  // set_job_progress records a running job's fraction done (clamped to 0..1); an unknown or
  // ended job is no error.
  virtual Result<std::optional<JobRecord>> claim_job(const std::string& node, const std::string& now) = 0;
  virtual Result<JobRecord> cancel_job(std::int64_t id, const std::string& now) = 0;
  virtual Result<std::vector<std::int64_t>> cancel_requested_jobs(const std::string& node) = 0;
  virtual Result<void> set_job_progress(std::int64_t id, double fraction) = 0;
  // Records what a running job has printed so far (its output and its progress and error
  // lines), so that every node shows it while it runs; an unknown or ended job is no error and
  // keeps what finish_job wrote.
  virtual Result<void> set_job_output(std::int64_t id, const std::string& output, const std::string& messages) = 0;
  // The uploads of ended jobs (an interrupted job's, whose node died before removing it),
  // forgotten by their jobs as they are returned, for the caller to remove. Two callers at once
  // may both get one; removing a file twice is harmless.
  virtual Result<std::vector<std::string>> take_ended_job_uploads() = 0;

  // Failed sign-ins per client address, shared by the nodes (auth::AddressThrottle), kept to
  // the millisecond. add_address_failure records one for `address` at `at` and forgets every
  // address's failures at or before `forget_through` (so the table holds only a window's
  // worth); address_failures lists `address`'s failures after `since`, oldest first.
  virtual Result<void> add_address_failure(const std::string& address, std::chrono::system_clock::time_point at,
                                           std::chrono::system_clock::time_point forget_through) = 0;
  virtual Result<std::vector<std::chrono::system_clock::time_point>> address_failures(
      const std::string& address, std::chrono::system_clock::time_point since) = 0;
};

}  // namespace rapporteur::store
