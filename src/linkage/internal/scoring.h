// Comparison of two records into agreement levels and their weights; shared by the model
// fit, the scoring of candidates and the clustering. Private to linkage.
#pragma once

#include <cstdint>
#include <vector>

#include "linkage/probabilistic.h"

namespace rapporteur::linkage::internal {

// Agreement levels of a pair, 4 bits per field (fields in schema order, at most 16).
using Pattern = std::uint64_t;

inline int level_of(Pattern pattern, std::size_t field) { return static_cast<int>((pattern >> (4 * field)) & 15U); }

// Compares records a and b field by field (block-only fields get level 0).
Pattern compare(const RecordSet& records, const std::optional<std::pair<std::size_t, std::size_t>>& swap,
                std::uint32_t a, std::uint32_t b);

// Per field and level, log2(m / u); built once from a fitted model.
class Weights {
 public:
  Weights(const RecordSet& records, const Model& model);

  // The field's weight at the pair's level, term-frequency adjusted at exact agreement.
  double field_weight(std::uint32_t a, std::size_t field, int level) const;
  // The prior log-odds plus every field's weight.
  double weight(std::uint32_t a, Pattern pattern) const;
  double prior_weight() const { return prior_weight_; }

 private:
  const RecordSet& records_;
  const Model& model_;
  std::vector<std::vector<double>> weights_;  // [field][level]
  std::vector<int> exact_level_;              // Per field: its exact level, or -1 without TF.
  double prior_weight_ = 0;
};

double probability_of(double weight);

// Pairs of a and b, a < b, packed as (a << 32) | b.
inline std::uint64_t pack(std::uint32_t a, std::uint32_t b) {
  return a < b ? (std::uint64_t{a} << 32) | b : (std::uint64_t{b} << 32) | a;
}

struct Blocked {
  std::vector<std::uint64_t> pairs;  // Sorted, unique.
  std::vector<BlockingCount> counts;
  // Per rule: each record's blocking value (0: missing), and the fields the rule uses.
  std::vector<std::vector<std::uint64_t>> values;
  std::vector<std::vector<std::size_t>> fields;
};

// The union of the candidate pairs of the rules; a rule giving more than `max_rule_pairs`
// (0: no limit) contributes a random sample of that many. Fails as link_records does for bad
// rules.
Result<Blocked> block(const RecordSet& records, const LinkOptions& options, std::size_t max_rule_pairs = 0);

struct Clustering {
  std::vector<std::uint32_t> cluster;
  std::int64_t clusters = 0;
  std::vector<std::pair<std::uint32_t, std::uint32_t>> duplicates;
  std::int64_t rejected_weak_bridges = 0;
  std::int64_t rejected_same_source = 0;
  std::int64_t rejected_non_match = 0;
  std::int64_t refused_matches = 0;
};

// Joins the records of options.decisions' kMatch pairs, then records along `links` (strongest
// first), under the cluster-support and same-source rules of `options` and never across a
// kNonMatch pair, scoring any cross pair it needs with `weights` (a kMatch pair counts as
// posterior 1). Decisions must name records of `records`.
Clustering cluster(const RecordSet& records, const Weights& weights,
                   const std::optional<std::pair<std::size_t, std::size_t>>& swap, const std::vector<ScoredPair>& links,
                   const LinkOptions& options);

}  // namespace rapporteur::linkage::internal
