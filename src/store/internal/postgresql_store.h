// The PostgreSQL backend of the Store interface: the class and what its files share. Its
// methods are defined by area, as the SQLite backend's are: postgresql_store.cpp (connecting,
// migrations, transactions, meta), postgresql_registrations.cpp, postgresql_publications.cpp,
// postgresql_account.cpp and postgresql_staff.cpp. Internal to store.
//
// Differences from the SQLite backend that callers cannot see: person keys are stored as
// text (SQLite packs hex keys into bytes), text is ordered by code point (COLLATE "C", as
// SQLite orders), and a statement that fails inside a transaction aborts it, so the
// transaction's work must fail too (every caller returns the error; none carries on).
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "store/internal/codes.h"
#include "store/internal/postgresql.h"
#include "store/store.h"

namespace rapporteur::store::internal {

// Thread safety: every call takes mutex_ (recursive, so transact() nests); one connection.
class PostgresStore final : public Store {
 public:
  PostgresStore(Connection connection, int version) : db_(std::move(connection)), version_(version) {}
  int schema_version() const override { return version_; }

  // Transactions and instance settings (postgresql_store.cpp).
  Result<void> transact(const std::function<Result<void>()>& work) override;
  Result<void> set_meta(const std::string& key, const std::string& value) override;
  Result<std::string> get_meta(const std::string& key) override;

  // Sources, regions, batches and registrations (postgresql_registrations.cpp).
  Result<void> put_source(const Source& source) override;
  Result<std::vector<Source>> sources() override;
  Result<void> put_region(const Region& region) override;
  Result<std::vector<Region>> regions() override;
  Result<void> put_population(const RegionPopulation& population) override;
  Result<std::int64_t> population(const std::string& region_code, int year) override;
  Result<std::int64_t> add_registrations(const std::vector<Registration>& registrations,
                                         std::optional<std::int64_t> batch_id) override;
  Result<std::int64_t> create_batch(const Batch& batch) override;
  Result<void> finish_batch(std::int64_t id, std::int64_t rows_read, std::int64_t rows_loaded,
                            std::int64_t rows_rejected) override;
  Result<Batch> batch(std::int64_t id) override;
  Result<std::vector<Batch>> batches() override;
  Result<std::optional<Batch>> active_batch(const std::string& source_code, const std::string& profile,
                                            int year) override;
  Result<void> replace_batch(std::int64_t old_id, std::int64_t new_id) override;
  Result<void> add_row_errors(const std::vector<RowError>& errors) override;
  Result<std::vector<RowError>> row_errors(std::int64_t batch_id) override;
  Result<std::int64_t> count_registrations(const RegistrationFilter& filter) override;
  Result<std::vector<Registration>> registrations(const RegistrationFilter& filter) override;
  Result<std::vector<std::int64_t>> registration_ids(const RegistrationFilter& filter) override;
  Result<std::vector<RegistrationCount>> registration_counts() override;
  Result<std::int64_t> count_persons() override;

  // Publications and recommendations (postgresql_publications.cpp).
  Result<void> put_publication(const Publication& publication) override;
  Result<std::vector<Publication>> publications() override;
  Result<std::vector<Publication>> publication_list() override;
  Result<Publication> publication(const std::string& slug) override;
  Result<std::optional<std::string>> publication_from_source(const std::string& source_sha256) override;
  Result<void> put_recommendation(const Recommendation& recommendation) override;
  Result<void> add_recommendation_event(const std::string& publication_slug, int number,
                                        const Recommendation::Event& event) override;
  Result<std::vector<Recommendation>> recommendations() override;

  // The yearly account (postgresql_account.cpp).
  Result<void> put_activity(const Activity& a) override;
  Result<std::vector<Activity>> activities(int year) override;
  Result<std::vector<int>> account_years() override;
  Result<void> put_media_appearance(const MediaAppearance& m) override;
  Result<void> remove_activity(const Activity& a) override;
  Result<void> remove_media_appearance(const MediaAppearance& m) override;
  Result<std::vector<MediaAppearance>> media_appearances(int year) override;
  Result<void> put_finances(const Finances& f) override;
  Result<Finances> finances(int year) override;

  // Users, sessions, the audit log and jobs (postgresql_staff.cpp).
  Result<void> add_user(const User& u) override;
  Result<User> user(const std::string& name) override;
  Result<std::vector<User>> users() override;
  Result<void> record_sign_in_attempt(const std::string& name, int failed_attempts,
                                      const std::string& locked_until) override;
  Result<void> add_session(const Session& session) override;
  Result<Session> session(const std::string& token_hash, const std::string& now) override;
  Result<void> delete_session(const std::string& token_hash) override;
  Result<void> audit(const AuditEntry& entry) override;
  Result<std::vector<AuditEntry>> audit_log(int limit) override;
  Result<std::int64_t> add_job(const JobRecord& job) override;
  Result<void> finish_job(std::int64_t id, const std::string& status, const std::string& output,
                          const std::string& messages, const std::string& finished) override;
  Result<std::vector<JobRecord>> jobs(int limit) override;
  Result<JobRecord> job(std::int64_t id) override;
  Result<std::int64_t> interrupt_running_jobs(const std::string& now) override;
  Result<std::int64_t> beat_jobs(const std::string& node, const std::string& now) override;
  Result<std::int64_t> interrupt_abandoned_jobs(const std::string& node, const std::string& now,
                                                std::chrono::seconds stale_after) override;

  Result<std::optional<JobRecord>> claim_job(const std::string& node, const std::string& now) override;
  Result<JobRecord> cancel_job(std::int64_t id, const std::string& now) override;
  Result<std::vector<std::int64_t>> cancel_requested_jobs(const std::string& node) override;
  Result<void> set_job_progress(std::int64_t id, double fraction) override;
  Result<void> set_job_output(std::int64_t id, const std::string& output, const std::string& messages) override;
  Result<std::vector<std::string>> take_ended_job_uploads() override;
  Result<void> add_address_failure(const std::string& address, std::chrono::system_clock::time_point at,
                                   std::chrono::system_clock::time_point forget_through) override;
  Result<std::vector<std::chrono::system_clock::time_point>> address_failures(
      const std::string& address, std::chrono::system_clock::time_point since) override;

  // Key rotation (postgresql_keys.cpp).
  Result<std::vector<KeyedValues>> keyed_values() override;
  Result<void> rekey_registrations(const std::vector<KeyedValues>& values, const std::string& key_id) override;

  // Linkage person ids (postgresql_person_ids.cpp).
  Result<std::vector<PersonIdRow>> person_ids(const PersonIdScope& scope) override;
  Result<void> replace_person_ids(const PersonIdScope& scope, const std::vector<PersonIdRow>& rows,
                                  std::int64_t next_id) override;
  Result<std::int64_t> next_person_id() override;
  Result<std::vector<PairDecisionRow>> linkage_decisions(const PersonIdScope& scope) override;
  Result<void> put_linkage_decision(const PersonIdScope& scope, const PairDecisionRow& row) override;

  // FileStore
  Result<std::string> put_file(std::string_view bytes) override;
  Result<std::optional<std::string>> file(const std::string& sha256) override;
  Result<void> lock_releases() override;
  Result<void> add_release(const ReleaseRecord& release) override;
  Result<ReleaseRecord> release(const std::string& id) override;
  Result<std::vector<std::string>> release_ids() override;
  Result<void> remove_release(const std::string& id) override;
  Result<std::int64_t> remove_unreferenced_files() override;

 private:
  enum class Bodies { kRead, kLeaveOut };
  Result<std::vector<Publication>> read_publications(const std::string& where,
                                                     const std::optional<std::string>& argument,
                                                     Bodies bodies = Bodies::kRead);
  Result<std::vector<Batch>> select_batches(const std::string& where, const Params& params);
  Result<std::vector<JobRecord>> read_jobs(const std::string& clause, std::int64_t argument);
  Result<std::vector<User>> read_users(const std::string& where, const std::optional<std::string>& argument);
  Result<void> insert_event(std::int64_t recommendation_id, const Recommendation::Event& event);
  Result<bool> region_exists(const std::string& code);

  std::recursive_mutex mutex_;
  Connection db_;
  int version_;
  int depth_ = 0;  // Open transaction levels; guarded by mutex_.
};

}  // namespace rapporteur::store::internal
