// The linkage use case: the registrations of one year, mandate and role linked into persons,
// deterministically (exact keys) or probabilistically (Fellegi-Sunter on the pseudonymous
// comparison fields intake stores), with the persons' capture histories and a report of the
// run (links per weight band, blocking counts, overlap per source pair, clusters by size).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "intake/rotation.h"
#include "linkage/linkage.h"
#include "linkage/probabilistic.h"
#include "store/store.h"

namespace rapporteur::app {

enum class LinkageMethod {
  kDeterministic,  // Registrations sharing a keyed id or keyed name + date of birth.
  kProbabilistic,  // linkage::link_records with linkage::person_link_options().
};
std::string_view to_code(LinkageMethod method);
// "deterministic" or "probabilistic"; kInvalidArgument otherwise.
Result<LinkageMethod> parse_linkage_method(std::string_view code);

enum class PersonIdUse {
  kNone,  // The run gives no person ids and writes nothing.
  kKeep,  // Person ids from the store's previous run of this year, mandate and role carried
          // over (linkage::assign_person_ids), and this run's ids stored for the next.
};

// The thresholds of a probabilistic run (linkage::LinkOptions' match_threshold and
// cluster_support), to re-link more strictly or more loosely than person_link_options().
struct LinkThresholds {
  double match = 0.5;
  double cluster_support = 0.6;
};

// Whether a probabilistic run follows the clerical review's decisions stored for its scope.
enum class ReviewDecisionUse {
  kApply,  // kMatch pairs joined, kNonMatch pairs kept apart (linkage::LinkOptions::decisions).
  kIgnore  // The model alone, as before any review (to measure what the review changed).
};

// What a clerical review adds to a probabilistic run: decisions by record index into the
// registrations, and the band of posteriors whose candidate pairs are listed for review.
struct ReviewInput {
  std::vector<linkage::DecidedPair> decisions;
  std::optional<linkage::ProbabilityBand> band;
};

// Stored review decisions as record indices into registrations whose stored row ids are
// `record_ids`: the match and non-match decisions whose two records are both there, and how
// many decisions name a record that has gone (a replaced batch). Unsure decisions are left out.
struct IndexedDecisions {
  std::vector<linkage::DecidedPair> decisions;
  std::int64_t ignored = 0;
};
IndexedDecisions index_decisions(const std::vector<std::int64_t>& record_ids,
                                 const std::vector<store::PairDecisionRow>& decided);

struct LinkageRequest {
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  LinkageMethod method = LinkageMethod::kProbabilistic;
  PersonIdUse person_ids = PersonIdUse::kNone;
  std::optional<LinkThresholds> thresholds;  // Probabilistic runs; empty: person_link_options()'s.
  ReviewDecisionUse decisions = ReviewDecisionUse::kApply;
  std::optional<linkage::ProbabilityBand> review_band;  // Probabilistic runs: list these pairs.
};

// How the person ids of a kKeep run relate to the previous run's.
struct PersonIdChanges {
  std::int64_t kept = 0;       // Persons that kept an earlier id.
  std::int64_t unchanged = 0;  // Of those, with exactly the same records as before.
  std::int64_t added = 0;      // Persons given a new id.
  std::int64_t retired = 0;    // Earlier ids no person kept (merged into another, or gone).
};

// One linkage run. `cluster` is parallel to `registrations`; equal values are one person.
struct LinkageRun {
  LinkageMethod method = LinkageMethod::kProbabilistic;  // The method used.
  // Why the method used differs from the one asked for (registrations without comparison
  // fields are linked deterministically); empty otherwise.
  std::string note;
  std::vector<Registration> registrations;
  // run_linkage: each registration's stored row id (parallel to `registrations`).
  std::vector<std::int64_t> record_ids;
  std::vector<std::string> sources;  // Sources that registered someone, in the store's order.
  std::vector<std::uint32_t> cluster;
  std::vector<linkage::LinkedPerson> persons;
  linkage::Histories histories;
  std::optional<linkage::LinkResult> probabilistic;  // The model, links and blocking counts.
  // kKeep runs: per registration its person id (stable across runs), and what changed.
  std::vector<std::int64_t> person_id;
  std::optional<PersonIdChanges> person_id_changes;
  // run_linkage with ReviewDecisionUse::kApply on a probabilistic run: match and non-match
  // decisions given to the linkage, and decisions ignored because a record has gone.
  std::int64_t decisions_applied = 0;
  std::int64_t decisions_ignored = 0;
};

// Gives `run`'s persons ids carried over from the store's previous run of `scope`
// (linkage::assign_person_ids) and stores them for the next, in one transaction; fills
// run.person_id. Fails with the store's errors.
Result<PersonIdChanges> keep_person_ids(store::Store& store, const store::PersonIdScope& scope, LinkageRun& run);

// A fingerprint of each registration's stored content (a 64-bit hash of pseudonymous values),
// by which a record is recognised in a later run: equal registrations get distinct
// fingerprints numbered by their order among the equal ones.
std::vector<std::uint64_t> record_fingerprints(const std::vector<Registration>& registrations);

// Rotates the pseudonymisation key (intake::rotate_key) and, in the same transaction, carries
// every kept person id over to its record's new fingerprint (fingerprints hash the keyed
// values, so without this a rotation would retire every person id).
Result<intake::RotationReport> rotate_key(store::Store& store, const std::filesystem::path& key_file);

// Links `registrations` (their sources listed in `sources`) with `method`. kProbabilistic
// falls back to kDeterministic, saying so in `note`, when a registration has no comparison
// fields (loaded before schema 11 or with --no-bloom). `thresholds` replaces
// person_link_options()'s; `review` is given to a probabilistic linkage (ignored by a
// deterministic one). Fails with kInvalidArgument when a registration's source is not listed
// or a threshold is outside (0, 1], and with the linkage's errors.
Result<LinkageRun> link_registrations(std::vector<Registration> registrations, std::vector<std::string> sources,
                                      LinkageMethod method, std::optional<LinkThresholds> thresholds = std::nullopt,
                                      const ReviewInput& review = {});

// Links the registrations of `request`'s year, mandate and role from `store`; only sources
// that registered someone in this selection are listed. With PersonIdUse::kKeep, gives the
// persons stable ids and stores them (one transaction). A probabilistic run follows the
// review decisions stored for the scope unless the request says kIgnore. Fails with kInvalidArgument for an
// unknown mandate or role, as link_registrations does, and with the store's errors.
Result<LinkageRun> run_linkage(store::Store& store, const LinkageRequest& request);

// The capture histories of run_linkage for one year, mandate and role.
Result<linkage::Histories> link_year(store::Store& store, int year, const std::string& mandate_code,
                                     const std::string& role_code,
                                     LinkageMethod method = LinkageMethod::kProbabilistic);

struct WeightBand {
  double from = 0;  // log2 weight, inclusive.
  double to = 0;    // Exclusive.
  std::int64_t links = 0;
};

struct SourcePairOverlap {
  std::string first;
  std::string second;
  std::int64_t persons = 0;  // Persons registered by both.
};

struct LinkageReport {
  LinkageMethod method = LinkageMethod::kProbabilistic;
  std::string note;
  std::int64_t registrations = 0;
  std::int64_t persons = 0;
  // Registrations with a name but no keyed id and no date of birth.
  std::int64_t weakly_linkable = 0;
  std::vector<std::pair<std::int64_t, std::int64_t>> clusters_by_size;  // (size, clusters), by size.
  std::vector<std::pair<std::string, std::int64_t>> persons_per_source;
  std::vector<SourcePairOverlap> overlaps;  // Every pair of listed sources.
  // Probabilistic runs only (zero otherwise).
  std::int64_t candidate_pairs = 0;
  std::int64_t links = 0;
  double expected_precision = 0;  // Mean posterior of the links: the model's own precision.
  std::int64_t duplicates = 0;    // Same-source pairs in one cluster.
  std::int64_t rejected_weak_bridges = 0;
  std::int64_t rejected_same_source = 0;
  std::int64_t rejected_non_match = 0;  // Links not followed for a clerk's non-match.
  std::int64_t refused_matches = 0;     // Clerk's matches not followed: a non-match forbade it.
  std::int64_t decisions_applied = 0;   // As LinkageRun.
  std::int64_t decisions_ignored = 0;
  double prior = 0;
  int em_iterations = 0;
  bool converged = false;
  std::vector<linkage::BlockingCount> blocking;
  std::vector<WeightBand> bands;              // Links per weight band, highest first.
  std::optional<PersonIdChanges> person_ids;  // kKeep runs only.
};

// The report of a run (no values, only counts and model figures).
LinkageReport report_linkage(const LinkageRun& run);
// As the CLI prints it.
std::string to_text(const LinkageReport& report);

}  // namespace rapporteur::app
