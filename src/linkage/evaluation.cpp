#include "linkage/evaluation.h"

#include <algorithm>
#include <cassert>
#include <map>
#include <unordered_map>

namespace rapporteur::linkage {
namespace {

PairwiseScore finish(std::int64_t tp, std::int64_t predicted, std::int64_t truth) {
  PairwiseScore s;
  s.true_positives = tp;
  s.false_positives = predicted - tp;
  s.false_negatives = truth - tp;
  s.precision = predicted == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(predicted);
  s.recall = truth == 0 ? 1.0 : static_cast<double>(tp) / static_cast<double>(truth);
  s.f1 = s.precision + s.recall == 0 ? 0.0 : 2 * s.precision * s.recall / (s.precision + s.recall);
  return s;
}

void normalise(std::vector<std::pair<std::uint32_t, std::uint32_t>>& pairs) {
  for (auto& [a, b] : pairs) {
    if (a > b) std::swap(a, b);
  }
  std::sort(pairs.begin(), pairs.end());
  pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
}

std::int64_t pairs_of(std::int64_t n) { return n * (n - 1) / 2; }

}  // namespace

PairwiseScore score_pairs(std::vector<std::pair<std::uint32_t, std::uint32_t>> predicted,
                          std::vector<std::pair<std::uint32_t, std::uint32_t>> truth) {
  normalise(predicted);
  normalise(truth);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> both;
  std::set_intersection(predicted.begin(), predicted.end(), truth.begin(), truth.end(), std::back_inserter(both));
  return finish(static_cast<std::int64_t>(both.size()), static_cast<std::int64_t>(predicted.size()),
                static_cast<std::int64_t>(truth.size()));
}

PairwiseScore score_clusters(const std::vector<std::uint32_t>& cluster, const std::vector<std::uint64_t>& entity) {
  assert(cluster.size() == entity.size() && "one entity per record");
  std::unordered_map<std::uint32_t, std::int64_t> per_cluster;
  std::unordered_map<std::uint64_t, std::int64_t> per_entity;
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::int64_t> cells;
  for (std::size_t r = 0; r < cluster.size(); ++r) {
    ++per_cluster[cluster[r]];
    ++per_entity[entity[r]];
    ++cells[{cluster[r], entity[r]}];
  }
  std::int64_t tp = 0;
  std::int64_t predicted = 0;
  std::int64_t truth = 0;
  for (const auto& [cell, n] : cells) tp += pairs_of(n);
  for (const auto& [c, n] : per_cluster) predicted += pairs_of(n);
  for (const auto& [e, n] : per_entity) truth += pairs_of(n);
  return finish(tp, predicted, truth);
}

}  // namespace rapporteur::linkage
