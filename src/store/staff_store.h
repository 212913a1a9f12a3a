// The staff role of the store: accounts, sessions, sign-in attempts, the audit log and the
// workspace's background jobs. Used by auth and the staff workspace's job runner.
#pragma once

#include <chrono>
#include <cstdint>
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
  std::string owner;               // The staff user who started it.
  std::string started;             // UTC, ISO 8601.
  std::string finished;            // Empty while running.
  std::string status = "running";  // "running", "done", "failed", "cancelled" or "interrupted".
  std::string output;              // Its standard output.
  std::string messages;            // Its progress and error lines.
  std::string link;                // A page with the result, if any.
  std::string link_text;
  std::string node;       // The web node running it ("" for a single server).
  std::string heartbeat;  // UTC, ISO 8601: when its node last said it still runs it.
  double progress = -1;   // While running, the fraction done when the work says (not stored); else -1.
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

  // Background jobs. add_job stores a running job and returns its id; finish_job records how
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
};

}  // namespace rapporteur::store
