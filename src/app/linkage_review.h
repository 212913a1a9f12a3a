// The clerical review of pairs near the linkage threshold (issue 16 item 5): the candidate
// pairs of a year's probabilistic run whose match probability lies in a band around the
// threshold, shown by agreement level per field only (never a name, date, hash or Bloom
// filter), and a clerk's decision on a pair (match, non-match, unsure), stored with who took
// it and when and written to the audit log; the next run of the scope follows the decisions
// (app::run_linkage).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "linkage/probabilistic.h"
#include "store/store.h"

namespace rapporteur::app {

struct ReviewRequest {
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  linkage::ProbabilityBand band;  // Posterior 0.1 to 0.9 unless set.
  std::size_t limit = 0;          // The most uncertain pairs first; 0: all in the band.
};

// How two records compare on one field, as a level; no value.
enum class Agreement {
  kMissing,          // Missing on either side: no evidence.
  kDisagree,         // Names: Dice below the lowest level; keys and dates: different.
  kSimilar,          // Names: Dice in [dice_from, dice_to).
  kExact,            // Names and dates: the same value.
  kEqual,            // Keys (id number, sex, nationality, region): the same value.
  kDayMonthSwapped,  // Dates: same year, day and month crossed.
  kTwoOfThree,       // Dates: two of year, month and day equal, or the year off by one.
  kYearOnly,         // Dates: only the year equal.
};
// "missing", "disagree", "similar", "exact", "equal", "day_month_swapped", "two_of_three",
// "year_only".
std::string_view to_code(Agreement agreement);

struct FieldAgreement {
  std::string field;  // linkage::person_schema()'s name: first_name, last_name, birth_date, ...
  Agreement agreement = Agreement::kMissing;
  double dice_from = 0;  // kSimilar only.
  double dice_to = 0;
  // No per-field weight: with term frequencies it would tell how common a value (a name) is.
};

// The English description of a level, e.g. "Dice 0.75-0.88" or "day and month swapped".
std::string describe(const FieldAgreement& agreement);

// A candidate pair to review. `reference` is made of the two registrations' stored row ids
// ("r<first>-r<second>", first < second), stable across runs while the records stay.
struct ReviewPair {
  std::string reference;
  std::string first_source;
  std::string second_source;
  double weight = 0;  // log2, prior included.
  double probability = 0;
  std::vector<FieldAgreement> fields;
  std::optional<store::ReviewDecision> decision;  // The stored decision, if any.
  std::string decided_by;
  std::string decided_at;
};

struct ReviewList {
  int year = 0;
  std::string mandate;
  std::string role;
  linkage::ProbabilityBand band;
  double threshold = 0;      // The run's match threshold.
  std::int64_t in_band = 0;  // Pairs in the band (before the limit).
  std::int64_t decided = 0;  // Of those, with a stored decision.
  std::string note;          // Why there are no pairs (a run that fell back to exact keys).
  std::vector<ReviewPair> pairs;
};

// The pairs of `request`'s year, mandate and role in the band, from a probabilistic run that
// follows the decisions taken so far (decisions do not move a pair's probability). Fails with
// kInvalidArgument for an unknown mandate or role or a band outside [0, 1], and as
// run_linkage fails.
Result<ReviewList> list_review_pairs(store::Store& store, const ReviewRequest& request);

// As the CLI prints them: text (one block per pair) or CSV (one row per pair, a column per
// field's level).
std::string to_text(const ReviewList& list);
std::string to_csv(const ReviewList& list);
// {"year", "mandate", "role", "band": {"from", "to"}, "threshold", "in_band", "decided",
// "note", "pairs": [{"reference", "sources": [..], "weight", "probability", "decision",
// "fields": [{"field", "level", "description", "dice_from", "dice_to"}]}]}.
std::string to_json(const ReviewList& list);

struct PairReference {
  std::int64_t first = 0;
  std::int64_t second = 0;
};
// Reads "r<id>-r<id>" (either order; stored first < second). Fails with kInvalidArgument for
// anything else or one id twice.
Result<PairReference> parse_pair_reference(std::string_view text);
std::string to_reference(const PairReference& pair);

struct DecisionRequest {
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  std::string pair;      // A reference as ReviewPair gives it.
  std::string decision;  // "match", "non-match" or "unsure".
  std::string user;      // Who decides (a staff user, or "cli").
};

// Stores the decision and its audit-log entry ("linkage_decision") in one transaction and
// returns it. Fails with kInvalidArgument for a malformed reference, decision, mandate or role
// or an empty user, kNotFound when a record of the pair is not a registration of the year,
// mandate and role, and with the store's errors.
Result<store::PairDecisionRow> decide_pair(store::Store& store, const DecisionRequest& request);

}  // namespace rapporteur::app
