// Probabilistic record linkage on pseudonymous comparison fields (Fellegi and Sunter 1969):
// records are compared field by field at several agreement levels, u (agreement among
// non-matches) is estimated from random pairs, m (agreement among matches) and the match
// prior by EM on the blocked candidate pairs, exact agreement on a keyed value is weighted by
// how common that value is, and linked pairs are clustered so that no weak chain joins two
// people. Pure computation: plain data in and out, no I/O. Deterministic for a given input.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"

namespace rapporteur::linkage {

// 64-bit words of a Bloom-filter encoding; 16 words hold the intake's 1000-bit filters.
inline constexpr std::size_t kBloomWords = 16;

// A Bloom-filter encoding (e.g. of a normalised name) with its number of set bits; no set
// bits means the value is missing.
struct BloomBits {
  std::array<std::uint64_t, kBloomWords> words{};
  std::uint32_t ones = 0;
};

// Reads the intake's raw encoding (bit p is bit p % 8 of byte p / 8, at most 128 bytes);
// "" gives a missing value. Fails with kInvalidArgument when `bytes` is longer than 128.
Result<BloomBits> bloom_from_bytes(std::string_view bytes);

// Dice coefficient 2|A and B| / (|A| + |B|) in [0, 1]; 0 when either is missing.
double dice(const BloomBits& a, const BloomBits& b);

// The first 16 hex digits of a keyed hash (an HMAC in hex) as a 64-bit key; 0 (missing) for
// "". A hash whose leading digits are all zero maps to 1. Fails with kInvalidArgument when
// `hex` holds a non-hex digit or fewer than 16 digits.
Result<std::uint64_t> key_from_hex(std::string_view hex);

// A date of birth as separately keyed parts: no date is held, yet partial agreement shows.
// Month and day are keyed with one key, so that a day-month swap shows as crossed equality.
// 0 marks a missing part.
struct DateKeys {
  std::uint64_t year = 0;
  std::uint64_t year_pair = 0;      // Keyed floor(year / 2).
  std::uint64_t year_pair_odd = 0;  // Keyed floor((year + 1) / 2); with year_pair, a year off by one.
  std::uint64_t month = 0;
  std::uint64_t day = 0;
  bool first_of_january = false;  // Recorded as 1 January, a common default for an unknown day.
};

enum class FieldKind {
  kName,  // A Bloom encoding with a keyed hash of the exact value: exact, Dice levels, else.
  kKey,   // A keyed value (national id, sex, nationality, region, phonetic code): equal or not.
  kDate,  // DateKeys: exact, day-month swap, two of three parts, year only, else.
};
enum class FieldUse { kCompare, kBlockOnly };
enum class TermFrequency { kOff, kOn };

struct FieldSpec {
  std::string name;
  FieldKind kind = FieldKind::kKey;
  FieldUse use = FieldUse::kCompare;
  // kOn: an exact agreement weighs log2(m / f), f the value's share of the records, so a
  // common surname is weaker evidence than a rare one (kName and kKey only).
  TermFrequency term_frequency = TermFrequency::kOff;
  // kName: Dice thresholds of the partial agreement levels, highest first.
  std::vector<double> dice_levels = {0.88, 0.75, 0.6};
};

// Agreement levels: 0 is missing on either side (no evidence), 1 disagreement; higher levels
// are stronger agreement. kName: 2.. one per Dice threshold (lowest first), then exact.
// kKey: 2 equal. kDate: the levels below.
inline constexpr int kLevelMissing = 0;
inline constexpr int kLevelDisagree = 1;
inline constexpr int kDateYearOnly = 2;      // Year equal (or one side 1 January of that year).
inline constexpr int kDateTwoOfThree = 3;    // Two of year, month, day equal, or year off by one.
inline constexpr int kDateMonthDaySwap = 4;  // Year equal, day and month crossed.
inline constexpr int kDateExact = 5;

// Number of agreement levels of a field, missing included.
int level_count(const FieldSpec& field);

// Records from several sources, column by column. Thread-compatible.
class RecordSet {
 public:
  // Fails with kInvalidArgument when there are no fields, more than 16, a name repeats or a
  // kName field has no or unordered Dice thresholds outside (0, 1].
  static Result<RecordSet> create(std::vector<FieldSpec> fields);

  // Appends a record of `source` (a small number, e.g. the index of the source) with every
  // field missing; returns its index.
  std::uint32_t add(std::uint32_t source);
  // The index of the field called `name`, or nullopt.
  std::optional<std::size_t> field_index(std::string_view name) const;

  // Setters: `field` must be of the kind named; `record` from add(). A wrong kind or index is
  // a bug (asserted). `exact` is a keyed hash of the normalised value (0 when unknown).
  void set_name(std::uint32_t record, std::size_t field, const BloomBits& bits, std::uint64_t exact);
  void set_key(std::uint32_t record, std::size_t field, std::uint64_t key);
  void set_date(std::uint32_t record, std::size_t field, const DateKeys& date);

  std::size_t size() const { return sources_.size(); }
  const std::vector<FieldSpec>& fields() const { return fields_; }
  std::uint32_t source(std::uint32_t record) const { return sources_[record]; }
  // Inline: the comparison of a candidate pair reads them in its inner loop.
  const BloomBits& bloom(std::uint32_t record, std::size_t field) const { return columns_[field].blooms[record]; }
  std::uint64_t name_key(std::uint32_t record, std::size_t field) const { return columns_[field].keys[record]; }
  std::uint64_t key(std::uint32_t record, std::size_t field) const { return columns_[field].keys[record]; }
  const DateKeys& date(std::uint32_t record, std::size_t field) const { return columns_[field].dates[record]; }

 private:
  explicit RecordSet(std::vector<FieldSpec> fields);

  struct Column {
    std::vector<BloomBits> blooms;
    std::vector<std::uint64_t> keys;  // kKey values, or kName exact keys.
    std::vector<DateKeys> dates;
  };
  std::vector<FieldSpec> fields_;
  std::vector<std::uint32_t> sources_;
  std::vector<Column> columns_;
};

// Which part of a field a blocking key takes (kDate fields; others use kWhole).
enum class DatePart { kWhole, kYear, kMonthDay };

struct BlockKey {
  std::string field;
  DatePart part = DatePart::kWhole;
};

// kAnyOrder: the keys' values are compared as a set, so a first and last name recorded the
// other way round still block together (name fields keyed under one purpose).
enum class KeyOrder { kAsListed, kAnyOrder };

// Records agreeing exactly on every key of a rule become candidate pairs; the candidate set
// is the union over the rules.
struct BlockingRule {
  std::string name;
  std::vector<BlockKey> keys;
  KeyOrder order = KeyOrder::kAsListed;
};

enum class PairScope {
  kAllPairs,      // Any two records, within-source duplicates included.
  kAcrossSources  // Only records of different sources (e.g. FEBRL4's two files).
};

// Two name fields that a source may have recorded the other way round.
struct NameSwap {
  std::string first;
  std::string last;
};

// A clerk's decision on a pair of records (issue 16: the clerical review near the threshold).
enum class PairDecision {
  kMatch,    // One person: the two records are joined before any link is followed.
  kNonMatch  // Two people: their link is dropped and no join puts them in one cluster.
};

struct DecidedPair {
  std::uint32_t a = 0;  // Record indices, in either order.
  std::uint32_t b = 0;
  PairDecision decision = PairDecision::kMatch;
};

// Posterior match probabilities from `from` to `to`, both inclusive.
struct ProbabilityBand {
  double from = 0.1;
  double to = 0.9;
};

struct LinkOptions {
  std::vector<BlockingRule> blocking;
  // Rules whose pairs train m (each leaving at least two compared fields free; a rule's own
  // fields are not trained on its pairs). Empty: the blocking rules train.
  std::vector<BlockingRule> training_blocking;
  PairScope scope = PairScope::kAllPairs;
  std::optional<NameSwap> name_swap;
  // A candidate pair is a link when its posterior match probability reaches this.
  double match_threshold = 0.5;
  // Two clusters join only when the mean posterior over all their cross pairs reaches this.
  double cluster_support = 0.6;
  // Two records of one source share a cluster only as a flagged duplicate, with at least this
  // posterior; above 1 forbids it.
  double duplicate_threshold = 0.95;
  // Blocks with more records than this give no pairs (counted per rule).
  std::size_t max_block_size = 1000;
  // A training rule producing more pairs than this trains on a random sample of this many
  // (deterministic for the seed): EM needs proportions, not every pair, and a rule on one
  // common field gives hundreds of millions of pairs in a million records. 0: no cap.
  std::size_t max_training_pairs_per_rule = 2'000'000;
  std::size_t u_sample_pairs = 500'000;
  int max_em_iterations = 100;
  double em_tolerance = 1e-7;
  std::uint64_t seed = 20240616;
  // Decisions of a clerical review, kept by the clustering (see PairDecision). A kMatch that a
  // kNonMatch between the two clusters forbids is not followed (LinkResult::refused_matches).
  std::vector<DecidedPair> decisions;
  // Candidate pairs whose posterior lies in this band are listed in LinkResult::review.
  std::optional<ProbabilityBand> review_band;
};

struct FieldModel {
  std::string name;
  std::vector<double> m;  // Per level; level 0 (missing) is unused.
  std::vector<double> u;
};

// The fitted model: enough to score any pair of the same record set.
struct Model {
  std::vector<FieldModel> fields;  // Parallel to RecordSet::fields (block-only fields too).
  double prior = 0;                // P(match) of a record pair in scope (all pairs, not only candidates).
  int em_iterations = 0;
  bool converged = false;
  // Per field with term-frequency adjustment: each value's share of the records having one.
  std::vector<std::unordered_map<std::uint64_t, double>> term_frequencies;
  std::optional<std::pair<std::size_t, std::size_t>> name_swap;
};

struct BlockingCount {
  std::string rule;
  std::int64_t pairs = 0;             // Pairs the rule produces.
  std::int64_t new_pairs = 0;         // Of those, pairs no earlier rule produced.
  std::int64_t oversized_blocks = 0;  // Blocks skipped for exceeding max_block_size.
};

struct ScoredPair {
  std::uint32_t a = 0;  // a < b.
  std::uint32_t b = 0;
  double weight = 0;  // log2 Bayes factor plus log2 prior odds.
  double probability = 0;
};

struct FieldContribution {
  std::string field;
  int level = 0;
  double weight = 0;  // log2(m / u), term-frequency adjusted; 0 when missing.
};

struct PairExplanation {
  std::vector<FieldContribution> fields;  // Compared fields, in schema order.
  double prior_weight = 0;                // log2 of the prior odds.
  double weight = 0;                      // prior_weight plus the field weights.
  double probability = 0;
};

// A candidate pair in the review band with its weight broken down by field.
struct BandPair {
  ScoredPair pair;
  PairExplanation explanation;
};

struct LinkResult {
  Model model;
  std::vector<BlockingCount> blocking;
  std::int64_t candidate_pairs = 0;
  std::int64_t u_sample_pairs = 0;
  std::vector<ScoredPair> links;  // Candidates at or above the threshold, ordered by (a, b).
  // Per record its cluster: 0.. numbered in the order of each cluster's first record.
  std::vector<std::uint32_t> cluster;
  std::int64_t clusters = 0;
  // Same-source records sharing a cluster (a < b): within-source duplicates to review.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> duplicates;
  std::int64_t rejected_weak_bridges = 0;  // Links not followed: too little cluster support.
  std::int64_t rejected_same_source = 0;   // Links not followed: two records of one source.
  std::int64_t rejected_non_match = 0;     // Links not followed: a kNonMatch decision forbids the join.
  std::int64_t refused_matches = 0;        // kMatch decisions not followed: a kNonMatch forbids the join.
  // With LinkOptions::review_band: the candidate pairs in the band, most uncertain (posterior
  // nearest 0.5) first, ties by (a, b).
  std::vector<BandPair> review;
};

// Links `records`: blocking, u by sampling, m and prior by EM, scoring, clustering. Fails
// with kInvalidArgument when there is no blocking rule, a rule names an unknown field or a
// date part of a non-date field, the name swap names no two compared name fields, a
// threshold is outside (0, 1] (duplicate_threshold may exceed 1), a decision names a record
// not in `records` or one record twice, or the review band is not an ordered part of [0, 1].
// Without any candidate pair every record is its own cluster and m keeps its starting values.
Result<LinkResult> link_records(const RecordSet& records, const LinkOptions& options);

// The weight of one pair broken down by field (agreement levels only, no values). Fails with
// kInvalidArgument when a record index is not in `records`.
Result<PairExplanation> explain_pair(const RecordSet& records, const Model& model, std::uint32_t a, std::uint32_t b);

}  // namespace rapporteur::linkage
