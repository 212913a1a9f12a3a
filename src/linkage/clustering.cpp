#include <algorithm>
#include <numeric>
#include <unordered_set>

#include "linkage/internal/scoring.h"

namespace rapporteur::linkage::internal {

// Greedy agglomeration along links, strongest first, where a join must be supported by the
// clusters as wholes: the mean posterior over every cross pair (scored now if blocking did
// not pair them) must reach cluster_support. A chain a-b-c with a weak a-c therefore stops
// at {a, b} or {b, c}; connected components would join all three. Same-source pairs keep
// the one-record-per-source shape of a linked person unless they look like a duplicate.
// A clerk's decisions come first: kMatch pairs are joined before any link (the clerk has seen
// more than the model, so neither support nor source is asked), and no join, by decision or
// link, may put the two records of a kNonMatch pair in one cluster; since every join checks
// all cross pairs of the two clusters, no chain of links can join them either.
Clustering cluster(const RecordSet& records, const Weights& weights,
                   const std::optional<std::pair<std::size_t, std::size_t>>& swap, const std::vector<ScoredPair>& links,
                   const LinkOptions& options) {
  const auto n = static_cast<std::uint32_t>(records.size());
  Clustering result;
  std::vector<std::uint32_t> root(n);
  std::iota(root.begin(), root.end(), 0U);
  std::vector<std::vector<std::uint32_t>> members(n);
  for (std::uint32_t r = 0; r < n; ++r) members[r] = {r};

  std::unordered_set<std::uint64_t> must;
  std::unordered_set<std::uint64_t> cannot;
  std::vector<std::uint64_t> must_order;
  for (const auto& d : options.decisions) {
    const auto key = pack(d.a, d.b);
    if (d.decision == PairDecision::kMatch) {
      if (must.insert(key).second) must_order.push_back(key);
    } else {
      cannot.insert(key);
    }
  }
  std::sort(must_order.begin(), must_order.end());
  const auto separated = [&](std::uint32_t ra, std::uint32_t rb) {
    if (cannot.empty()) return false;
    for (const auto x : members[ra]) {
      for (const auto y : members[rb]) {
        if (cannot.contains(pack(x, y))) return true;
      }
    }
    return false;
  };
  const auto join = [&](std::uint32_t ra, std::uint32_t rb) {
    if (members[ra].size() < members[rb].size()) std::swap(ra, rb);
    for (const auto y : members[rb]) root[y] = ra;
    members[ra].insert(members[ra].end(), members[rb].begin(), members[rb].end());
    members[rb].clear();
    members[rb].shrink_to_fit();
  };

  for (const auto key : must_order) {
    const auto ra = root[key >> 32];
    const auto rb = root[key & 0xffffffffU];
    if (ra == rb) continue;
    if (separated(ra, rb)) {
      ++result.refused_matches;
      continue;
    }
    join(ra, rb);
  }

  std::vector<std::size_t> order(links.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::sort(order.begin(), order.end(), [&](std::size_t x, std::size_t y) {
    if (links[x].weight != links[y].weight) return links[x].weight > links[y].weight;
    return x < y;  // Links are ordered by (a, b): ties break deterministically.
  });

  for (const auto index : order) {
    const auto& link = links[index];
    const auto ra = root[link.a];
    const auto rb = root[link.b];
    if (ra == rb) continue;
    if (separated(ra, rb)) {
      ++result.rejected_non_match;
      continue;
    }
    bool conflict = false;
    double support = 0;
    for (const auto x : members[ra]) {
      for (const auto y : members[rb]) {
        if (must.contains(pack(x, y))) {
          support += 1;
          continue;
        }
        const double p = probability_of(weights.weight(x, compare(records, swap, x, y)));
        if (records.source(x) == records.source(y) &&
            (options.scope == PairScope::kAcrossSources || p < options.duplicate_threshold)) {
          conflict = true;
        }
        support += p;
      }
    }
    if (conflict) {
      ++result.rejected_same_source;
      continue;
    }
    if (support < options.cluster_support * static_cast<double>(members[ra].size() * members[rb].size())) {
      ++result.rejected_weak_bridges;
      continue;
    }
    join(ra, rb);
  }

  result.cluster.assign(n, 0);
  std::vector<std::int64_t> number(n, -1);
  for (std::uint32_t r = 0; r < n; ++r) {
    auto& id = number[root[r]];
    if (id < 0) id = result.clusters++;
    result.cluster[r] = static_cast<std::uint32_t>(id);
  }
  for (std::uint32_t r = 0; r < n; ++r) {
    auto group = members[r];
    if (group.size() < 2) continue;
    std::sort(group.begin(), group.end());
    for (std::size_t i = 0; i < group.size(); ++i) {
      for (std::size_t j = i + 1; j < group.size(); ++j) {
        if (records.source(group[i]) == records.source(group[j])) result.duplicates.emplace_back(group[i], group[j]);
      }
    }
  }
  std::sort(result.duplicates.begin(), result.duplicates.end());
  return result;
}

}  // namespace rapporteur::linkage::internal
