// The instance's persistent store: a repository interface over the domain model. Callers see
// only this header; the SQLite backend (and a PostgreSQL one later) live behind it.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/result.h"

namespace rapporteur::store {

// The schema version this binary writes; databases at a higher version are refused.
int latest_schema_version();

struct StoreOptions {
  // How long a writer waits for another process's lock before failing with kStorage.
  std::chrono::milliseconds busy_timeout{5000};
  // Migrate only up to this version instead of the latest (staged upgrades and their tests).
  std::optional<int> target_version;
};

// Which registrations a query covers; an unset field matches everything.
struct RegistrationFilter {
  std::optional<int> year;
  std::optional<Mandate> mandate;
  std::optional<Role> role;
  std::optional<std::string> source_code;
};

// Registrations and distinct persons per year, mandate and role.
struct RegistrationCount {
  int year = 0;
  Mandate mandate = Mandate::kHumanTrafficking;
  Role role = Role::kVictim;
  std::int64_t registrations = 0;
  std::int64_t persons = 0;
};

enum class BatchStatus { kActive, kReplaced };

// One loaded extract and where it came from.
struct Batch {
  std::int64_t id = 0;
  std::string source_code;
  std::string profile;
  int year = 0;
  std::string file_name;    // Base name only.
  std::string file_sha256;  // Of the file's bytes.
  std::string key_id;       // Fingerprint of the pseudonymisation key used.
  std::string reader;       // What the reader detected, e.g. "csv, delimiter ';', utf-8, BOM".
  std::int64_t rows_read = 0;
  std::int64_t rows_loaded = 0;
  std::int64_t rows_rejected = 0;
  std::string loaded_at;  // UTC, ISO 8601.
  BatchStatus status = BatchStatus::kActive;
  std::optional<std::int64_t> replaced_by;
};

// Why one row of a batch was rejected. `value` is empty for identifying columns.
struct RowError {
  std::int64_t batch_id = 0;
  long row = 0;
  std::string column;
  std::string reason;
  std::string value;
};

enum class UserRole { kAdmin, kResearcher, kEditor };
std::string_view to_code(UserRole role);
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
  std::string owner;    // The staff user who started it.
  std::string started;  // UTC, ISO 8601.
  std::string finished;  // Empty while running.
  std::string status = "running";  // "running", "done", "failed", "cancelled" or "interrupted".
  std::string output;    // Its standard output.
  std::string messages;  // Its progress and error lines.
  std::string link;      // A page with the result, if any.
  std::string link_text;
  double progress = -1;  // While running, the fraction done when the work says (not stored); else -1.
};

// Thread safety: all methods may be called from any thread; calls are serialised, and a
// transaction holds the store for its whole duration.
class Store {
 public:
  virtual ~Store() = default;

  // Returns the schema version of the open database.
  virtual int schema_version() const = 0;

  // Runs `work` in one transaction: commits when it succeeds, rolls back everything it wrote
  // when it fails (returning its error). Nested calls form savepoints inside the outer one.
  virtual Result<void> transact(const std::function<Result<void>()>& work) = 0;

  // Instance settings (key/value). get_meta fails with kNotFound for an absent key.
  virtual Result<void> set_meta(const std::string& key, const std::string& value) = 0;
  virtual Result<std::string> get_meta(const std::string& key) = 0;

  // Inserts or updates a source by its code.
  virtual Result<void> put_source(const Source& source) = 0;
  virtual Result<std::vector<Source>> sources() = 0;

  // Inserts or updates a region by its code; a parent must already exist (kInvalidArgument).
  virtual Result<void> put_region(const Region& region) = 0;
  virtual Result<std::vector<Region>> regions() = 0;
  virtual Result<void> put_population(const RegionPopulation& population) = 0;
  // Fails with kNotFound when the region has no population for that year.
  virtual Result<std::int64_t> population(const std::string& region_code, int year) = 0;

  // Validates and inserts `registrations` all-or-nothing, creating persons for new keys.
  // Fails with kInvalidArgument (naming the index) for an invalid registration or an unknown
  // source or region, with nothing written. Returns the number inserted.
  // `batch_id`, when given, records which batch the registrations came from.
  virtual Result<std::int64_t> add_registrations(const std::vector<Registration>& registrations,
                                                 std::optional<std::int64_t> batch_id = std::nullopt) = 0;
  virtual Result<std::int64_t> count_registrations(const RegistrationFilter& filter) = 0;
  virtual Result<std::vector<Registration>> registrations(const RegistrationFilter& filter) = 0;
  // Counts per year, mandate and role, ordered by those three.
  virtual Result<std::vector<RegistrationCount>> registration_counts() = 0;
  virtual Result<std::int64_t> count_persons() = 0;

  // Batches. create_batch stores `batch` (its id, loaded_at and status are assigned) and
  // returns the new id; finish_batch records the final row counts.
  virtual Result<std::int64_t> create_batch(const Batch& batch) = 0;
  virtual Result<void> finish_batch(std::int64_t id, std::int64_t rows_read, std::int64_t rows_loaded,
                                    std::int64_t rows_rejected) = 0;
  // Fails with kNotFound for an unknown id.
  virtual Result<Batch> batch(std::int64_t id) = 0;
  virtual Result<std::vector<Batch>> batches() = 0;
  // The active batch for (source, profile, year), if any.
  virtual Result<std::optional<Batch>> active_batch(const std::string& source_code,
                                                    const std::string& profile, int year) = 0;
  // Marks `old_id` replaced by `new_id` and deletes the old batch's registrations (and persons
  // left without any). Call inside the transaction that loads the new batch.
  virtual Result<void> replace_batch(std::int64_t old_id, std::int64_t new_id) = 0;
  virtual Result<void> add_row_errors(const std::vector<RowError>& errors) = 0;
  // The batch's rejected rows in row order; kNotFound for an unknown batch.
  virtual Result<std::vector<RowError>> row_errors(std::int64_t batch_id) = 0;

  // Inserts or updates a publication by its slug (every field, the body included).
  virtual Result<void> put_publication(const Publication& publication) = 0;
  // All publications, newest first, with their bodies.
  virtual Result<std::vector<Publication>> publications() = 0;
  // The same without the bodies (left empty): for lists, which must not read every full text.
  virtual Result<std::vector<Publication>> publication_list() = 0;
  // Fails with kNotFound for an unknown slug.
  virtual Result<Publication> publication(const std::string& slug) = 0;
  // The slug of the publication ingested from a file with this hash, if any.
  virtual Result<std::optional<std::string>> publication_from_source(const std::string& source_sha256) = 0;
  // Inserts or updates a recommendation by (publication, number); kNotFound for an unknown
  // publication. A non-empty `history` replaces the stored follow-up; an empty one keeps it.
  virtual Result<void> put_recommendation(const Recommendation& recommendation) = 0;
  // Appends a follow-up event; an event with a status also sets the current status.
  // kNotFound for an unknown recommendation.
  virtual Result<void> add_recommendation_event(const std::string& publication_slug, int number,
                                                const Recommendation::Event& event) = 0;
  // All recommendations ordered by year, publication and number, with their history.
  virtual Result<std::vector<Recommendation>> recommendations() = 0;

  // The yearly account. Activities and media appearances are keyed by their natural key
  // (date, kind, organisation, title) and (date, outlet, topic): putting one again updates
  // its other fields, so a re-import never duplicates. kInvalidArgument for an empty key field.
  virtual Result<void> put_activity(const Activity& activity) = 0;
  // Those dated in `year`, in date order.
  virtual Result<std::vector<Activity>> activities(int year) = 0;
  virtual Result<void> put_media_appearance(const MediaAppearance& appearance) = 0;
  virtual Result<std::vector<MediaAppearance>> media_appearances(int year) = 0;
  // Remove the entry with the natural key of `key` (its other fields are ignored); kNotFound
  // when there is none.
  virtual Result<void> remove_activity(const Activity& key) = 0;
  virtual Result<void> remove_media_appearance(const MediaAppearance& key) = 0;
  // Replaces the finances of `finances.year` with their lines, in one transaction.
  virtual Result<void> put_finances(const Finances& finances) = 0;
  // kNotFound when the year has no finances.
  virtual Result<Finances> finances(int year) = 0;

  // Staff accounts. add_user fails with kConflict when the name exists; user with kNotFound
  // when it does not. record_sign_in_attempt sets the failure count and lock.
  virtual Result<void> add_user(const User& user) = 0;
  virtual Result<User> user(const std::string& name) = 0;
  virtual Result<std::vector<User>> users() = 0;
  virtual Result<void> record_sign_in_attempt(const std::string& name, int failed_attempts,
                                              const std::string& locked_until) = 0;
  // Sessions: kNotFound for an unknown or expired (expires_at <= now) one.
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
};

// Opens (creating if absent) the SQLite database at `path` with WAL, foreign keys and the busy
// timeout, and applies pending migrations, each in its own transaction. Fails with
// kSchemaTooNew when the database is newer than this binary, kStorage when it cannot be opened
// or migrated (nothing of a failed migration remains).
Result<std::unique_ptr<Store>> open_sqlite_store(const std::filesystem::path& path,
                                                 const StoreOptions& options = {});

}  // namespace rapporteur::store
