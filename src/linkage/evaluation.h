// Scoring a linkage against truth: pairwise precision, recall and F1 over unordered record
// pairs, the standard measure for record linkage (Christen 2012, ch. 7). Pure computation.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace rapporteur::linkage {

struct PairwiseScore {
  std::int64_t true_positives = 0;
  std::int64_t false_positives = 0;
  std::int64_t false_negatives = 0;
  double precision = 0;  // 1 when nothing is predicted.
  double recall = 0;     // 1 when nothing is true.
  double f1 = 0;
};

// Scores `predicted` record pairs against `truth` pairs; order within a pair and repeats do
// not matter.
PairwiseScore score_pairs(std::vector<std::pair<std::uint32_t, std::uint32_t>> predicted,
                          std::vector<std::pair<std::uint32_t, std::uint32_t>> truth);

// Scores a clustering (cluster per record) against true entities (entity per record,
// parallel): every two records in one cluster are a predicted pair, every two of one entity
// a true pair. Counted from the cluster-entity contingency, so it is linear in the records.
PairwiseScore score_clusters(const std::vector<std::uint32_t>& cluster, const std::vector<std::uint64_t>& entity);

}  // namespace rapporteur::linkage
