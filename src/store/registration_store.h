// The registrations role of the store: sources, regions and their populations, registrations,
// the batches they were loaded in and the rows a batch rejected. Used by intake, linkage and
// the tables.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "store/meta_store.h"

namespace rapporteur::store {

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

// A registration's keyed values: pseudonyms, keyed hashes and Bloom filters (hex text and raw
// bytes as Registration holds them), and the row they belong to.
struct KeyedValues {
  std::int64_t id = 0;
  std::string person_key;
  std::optional<std::string> name_key;
  std::string name_bloom;
  std::string birth_bloom;
  ComparisonKeys comparison;
};

// The registrations one linkage run covers: a year, mandate and role, or (year 0, see
// across()) every year and role of a mandate, for lasting person ids (app::link_across).
struct PersonIdScope {
  int year = 0;
  Mandate mandate = Mandate::kHumanTrafficking;
  Role role = Role::kVictim;

  static PersonIdScope across(Mandate mandate) { return {.year = 0, .mandate = mandate, .role = Role::kVictim}; }
  bool is_across() const { return year == 0; }
};

// A record's person in a linkage run: the record is known by a fingerprint of its stored
// content (a 64-bit hash of pseudonymous values, not identifying).
struct PersonIdRow {
  std::uint64_t record = 0;
  std::int64_t person = 0;
  friend bool operator==(const PersonIdRow&, const PersonIdRow&) = default;
};

// A clerk's decision on a pair of registrations near the linkage threshold (issue 16): the
// next probabilistic run of the scope keeps kMatch pairs together and kNonMatch pairs apart;
// kUnsure has no effect.
enum class ReviewDecision { kMatch, kNonMatch, kUnsure };
// "match", "non-match" or "unsure".
std::string_view to_code(ReviewDecision decision);
// kInvalidArgument for any other code.
Result<ReviewDecision> parse_review_decision(std::string_view code);

// A decision on the pair of registration rows `first` and `second` (their stored ids, first <
// second), who took it and when. Not identifying: row ids, a code, a staff name and a time.
struct PairDecisionRow {
  std::int64_t first = 0;
  std::int64_t second = 0;
  ReviewDecision decision = ReviewDecision::kUnsure;
  std::string user_name;
  std::string decided_at;  // UTC, ISO 8601.
  friend bool operator==(const PairDecisionRow&, const PairDecisionRow&) = default;
};

class RegistrationStore : public virtual MetaStore {
 public:
  // Inserts or updates a source by its code; kInvalidArgument for an empty code.
  virtual Result<void> put_source(const Source& source) = 0;
  // All sources ordered by code.
  virtual Result<std::vector<Source>> sources() = 0;

  // Inserts or updates a region by its code; a parent must already exist (kInvalidArgument).
  virtual Result<void> put_region(const Region& region) = 0;
  // All regions ordered by code.
  virtual Result<std::vector<Region>> regions() = 0;
  // Inserts or updates a region's population of a year; kInvalidArgument for an unknown
  // region or a negative count.
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
  // The registrations `filter` covers, in the order they were added.
  virtual Result<std::vector<Registration>> registrations(const RegistrationFilter& filter) = 0;
  // The stored row ids of the same registrations, in the same order (a row keeps its id through
  // a key rotation and a copy; a replaced batch's rows are gone). Read both in one transact()
  // when they must match.
  virtual Result<std::vector<std::int64_t>> registration_ids(const RegistrationFilter& filter) = 0;
  // Counts per year, mandate and role, ordered by those three.
  virtual Result<std::vector<RegistrationCount>> registration_counts() = 0;
  // Distinct person keys over all registrations.
  virtual Result<std::int64_t> count_persons() = 0;

  // Batches. create_batch stores `batch` (its id, loaded_at and status are assigned) and
  // returns the new id; finish_batch records the final row counts.
  virtual Result<std::int64_t> create_batch(const Batch& batch) = 0;
  virtual Result<void> finish_batch(std::int64_t id, std::int64_t rows_read, std::int64_t rows_loaded,
                                    std::int64_t rows_rejected) = 0;
  // Fails with kNotFound for an unknown id.
  virtual Result<Batch> batch(std::int64_t id) = 0;
  // All batches in the order they were created.
  virtual Result<std::vector<Batch>> batches() = 0;
  // The active batch for (source, profile, year), if any.
  virtual Result<std::optional<Batch>> active_batch(const std::string& source_code, const std::string& profile,
                                                    int year) = 0;
  // Marks `old_id` replaced by `new_id` and deletes the old batch's registrations (and persons
  // left without any). Call inside the transaction that loads the new batch.
  virtual Result<void> replace_batch(std::int64_t old_id, std::int64_t new_id) = 0;
  virtual Result<void> add_row_errors(const std::vector<RowError>& errors) = 0;
  // The batch's rejected rows in row order; kNotFound for an unknown batch.
  virtual Result<std::vector<RowError>> row_errors(std::int64_t batch_id) = 0;

  // Key rotation (intake/rotation.h): every registration's keyed values by row id, in id
  // order, and their rewrite. rekey_registrations sets each listed row's keyed values (a
  // column that is NULL stays NULL) and records `key_id` as every batch's key and as the
  // instance's (meta pseudonym_key_id); kNotFound when a row id does not exist. Call both
  // inside one transact() so no registration is written with one key and read with another.
  virtual Result<std::vector<KeyedValues>> keyed_values() = 0;
  virtual Result<void> rekey_registrations(const std::vector<KeyedValues>& values, const std::string& key_id) = 0;

  // Linkage person ids (issue 16), so that a person keeps its id across linkage runs: per
  // year, mandate and role, each record's fingerprint and its person id.
  //
  // The rows of one linkage scope, ordered by fingerprint (none before the first run).
  virtual Result<std::vector<PersonIdRow>> person_ids(const PersonIdScope& scope) = 0;
  // Replaces the rows of `scope` with `rows` and sets the next free person id (ids are
  // never reused across scopes); all or nothing. kInvalidArgument for a person id outside
  // 1..next_id-1.
  virtual Result<void> replace_person_ids(const PersonIdScope& scope, const std::vector<PersonIdRow>& rows,
                                          std::int64_t next_id) = 0;
  // The first person id not given out yet (1 before any run).
  virtual Result<std::int64_t> next_person_id() = 0;

  // Clerical review decisions of one linkage scope (migration 19), ordered by (first, second).
  // Rows whose registrations were deleted since stay until overwritten: the run ignores them.
  virtual Result<std::vector<PairDecisionRow>> linkage_decisions(const PersonIdScope& scope) = 0;
  // Stores `row` in `scope`, replacing an earlier decision on the same pair. Fails with
  // kInvalidArgument, writing nothing, when the ids are not positive with first < second or
  // the user name is empty.
  virtual Result<void> put_linkage_decision(const PersonIdScope& scope, const PairDecisionRow& row) = 0;
};

}  // namespace rapporteur::store
