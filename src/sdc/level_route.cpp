// The whole-level route of the suppression: when nearly every cell at the finest level of a
// hierarchical dimension is unsafe or empty, that level (and each as bare level above it) is
// suppressed whole and the smaller table protected (protect_by_level).
#include <algorithm>

#include <fmt/format.h>

#include "sdc/internal/levels.h"
#include "sdc/internal/protect.h"
#include "sdc/sdc.h"

namespace rapporteur::sdc::internal {
namespace {

// The table without the finest level of `dimension`, with the map from its cells to the
// original's.
struct Coarser {
  Table table;
  std::vector<std::size_t> full;  // Coarser cell -> original cell.
  std::vector<std::size_t> of;    // Original cell -> coarser cell holding it or its parent.
};

Coarser coarser_table(const Table& table, std::size_t dimension, const std::vector<int>& depth, int deepest) {
  const Dimension& dim = table.dimensions[dimension];
  Coarser out{Table{table.name, table.dimensions, {}}, {}, std::vector<std::size_t>(table.values.size(), 0)};
  const internal::CoarserDimension kept = internal::without_level(dim, depth, deepest);
  out.table.dimensions[dimension] = kept.dimension;
  const std::size_t n = out.table.cell_count();
  out.table.values.resize(n);
  out.full.resize(n);
  for (std::size_t j = 0; j < n; ++j) {
    auto p = out.table.positions(j);
    p[dimension] = kept.original[static_cast<std::size_t>(p[dimension])];
    out.full[j] = table.index(p);
    out.table.values[j] = table.values[out.full[j]];
  }
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    auto p = table.positions(i);
    auto code = static_cast<std::size_t>(p[dimension]);
    if (depth[code] == deepest) code = static_cast<std::size_t>(dim.parents[code]);
    p[dimension] = kept.position[code];
    out.of[i] = out.table.index(p);
  }
  return out;
}

constexpr double kUnpublishableShare = 0.75;

// The share of cells at the finest level of dimension `d` that are empty or unsafe.
double unpublishable_share(const Table& table, std::size_t d, const std::vector<int>& depth, int deepest,
                           const Rule& rule) {
  std::size_t cells = 0;
  std::size_t unpublishable = 0;
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    if (depth[static_cast<std::size_t>(table.positions(i)[d])] != deepest) continue;
    ++cells;
    unpublishable += table.values[i] < rule.min_frequency ? 1 : 0;
  }
  return cells ? static_cast<double>(unpublishable) / static_cast<double>(cells) : 0;
}

}  // namespace

// Sparse detail: when nearly every cell at the finest level of a hierarchical dimension (say,
// every municipality) is unsafe or empty, that level is suppressed whole, and so is each
// level above it in the same dimension that is as bare (police units, say); the table without
// those levels is then protected, each remaining cell held to a primary's protection where a
// suppressed primary below it could otherwise not rise by its protection level (a published
// parent caps its children). The audit checks such a pattern exactly on the smaller table.
// Returns nothing when no dimension qualifies.
std::optional<Result<std::vector<Status>>> protect_by_level(const Problem& problem) {
  const Table& table = problem.tables.front();
  const Rule& rule = problem.rule;
  // The dimension: the one with the barest finest level below a level of its own.
  std::optional<std::size_t> chosen;
  double best_share = 0;
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    const std::vector<int> depth = table.dimensions[d].depths();
    const int deepest = *std::max_element(depth.begin(), depth.end());
    if (deepest < 2) continue;
    const double share = unpublishable_share(table, d, depth, deepest, rule);
    if (share > best_share) {
      chosen = d;
      best_share = share;
    }
  }
  if (!chosen || best_share < kUnpublishableShare) return std::nullopt;
  const std::size_t d = *chosen;

  std::vector<Status> status(table.values.size(), Status::kSafe);
  Table current = table;
  std::vector<std::size_t> to_full(table.values.size());  // Cell of `current` -> cell of `table`.
  for (std::size_t i = 0; i < to_full.size(); ++i) to_full[i] = i;
  std::vector<char> held(table.values.size(), 0);  // Per cell of `current`: held to a primary's protection.
  for (std::size_t i = 0; i < held.size(); ++i) held[i] = is_unsafe(rule, table.values[i]) ? 1 : 0;
  for (;;) {
    const std::vector<int> depth = current.dimensions[d].depths();
    const int deepest = *std::max_element(depth.begin(), depth.end());
    if (deepest < 1 || unpublishable_share(current, d, depth, deepest, rule) < kUnpublishableShare) break;
    const Coarser coarse = coarser_table(current, d, depth, deepest);
    std::vector<char> coarse_held(coarse.table.values.size(), 0);
    for (std::size_t j = 0; j < coarse_held.size(); ++j)
      coarse_held[j] = is_unsafe(rule, coarse.table.values[j]) ? 1 : 0;
    for (std::size_t i = 0; i < current.values.size(); ++i) {
      if (depth[static_cast<std::size_t>(current.positions(i)[d])] != deepest) continue;
      status[to_full[i]] = Status::kSecondary;
      // This cell can grow by at most its parent's count while the parent is published.
      const std::int64_t v = current.values[i];
      if (held[i] && coarse.table.values[coarse.of[i]] < v + protection_level(rule, v)) coarse_held[coarse.of[i]] = 1;
    }
    std::vector<std::size_t> next(coarse.full.size());
    for (std::size_t j = 0; j < next.size(); ++j) next[j] = to_full[coarse.full[j]];
    to_full = std::move(next);
    held = std::move(coarse_held);
    current = coarse.table;
  }
  std::vector<std::size_t> extra_primaries;
  for (std::size_t j = 0; j < held.size(); ++j) {
    if (held[j] && !is_unsafe(rule, current.values[j])) extra_primaries.push_back(j);
  }
  Problem smaller{{current}, rule, {}};
  smaller.release_trials = problem.release_trials;
  auto protected_smaller = protect_with(smaller, extra_primaries, Levels::kSkip);
  if (!protected_smaller) return Result<std::vector<Status>>(tl::unexpected(protected_smaller.error()));
  for (std::size_t j = 0; j < to_full.size(); ++j) {
    const Status s = protected_smaller->status.front()[j];
    status[to_full[j]] = s == Status::kPrimary ? Status::kSecondary : s;  // Held ones are secondary here.
  }
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    if (is_unsafe(rule, table.values[i])) status[i] = Status::kPrimary;
  }
  return Result<std::vector<Status>>(std::move(status));
}

std::optional<Reduction> reduce_by_level(const Problem& problem, const std::vector<Status>& status, const Rule& rule) {
  const Table& table = problem.tables.front();
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    const Dimension& dim = table.dimensions[d];
    const std::vector<int> depth = dim.depths();
    const int deepest = *std::max_element(depth.begin(), depth.end());
    if (deepest < 1) continue;
    const internal::CoarserDimension reduced = internal::without_level(dim, depth, deepest);
    std::vector<int> children(dim.codes.size(), 0);
    for (std::size_t c = 0; c < dim.codes.size(); ++c) {
      if (depth[c] == deepest) ++children[static_cast<std::size_t>(dim.parents[c])];
    }
    // Every cell at the finest level must be suppressed.
    Reduction r;
    r.finest.assign(table.values.size(), 0);
    bool all = true;
    for (std::size_t i = 0; i < table.values.size() && all; ++i) {
      const auto at = static_cast<std::size_t>(table.positions(i)[d]);
      if (depth[at] != deepest) continue;
      r.finest[i] = 1;
      all = is_suppressed(status[i]);
    }
    if (!all) continue;
    Table small{table.name, table.dimensions, {}};
    small.dimensions[d] = reduced.dimension;
    const std::size_t n = small.cell_count();
    small.values.resize(n);
    r.status.resize(n);
    r.full.resize(n);
    std::vector<std::size_t> reduced_of(table.values.size(), 0);
    for (std::size_t j = 0; j < n; ++j) {
      auto p = small.positions(j);
      p[d] = reduced.original[static_cast<std::size_t>(p[d])];
      const std::size_t i = table.index(p);
      r.full[j] = i;
      reduced_of[i] = j;
      small.values[j] = table.values[i];
      r.status[j] = status[i];
    }
    r.parent_cell.assign(table.values.size(), 0);
    r.has_sibling.assign(table.values.size(), 0);
    for (std::size_t i = 0; i < table.values.size(); ++i) {
      if (!r.finest[i]) continue;
      auto p = table.positions(i);
      const auto code = static_cast<std::size_t>(p[d]);
      p[d] = dim.parents[code];
      r.parent_cell[i] = reduced_of[table.index(p)];
      r.has_sibling[i] = children[static_cast<std::size_t>(dim.parents[code])] >= 2 ? 1 : 0;
      // A suppressed parent that must itself reach a primary child's upper requirement is
      // held to a primary's (its own is at least as large: levels grow with the count).
      const std::int64_t need = table.values[i] + protection_level(rule, table.values[i]);
      if (status[i] == Status::kPrimary && is_suppressed(r.status[r.parent_cell[i]]) &&
          table.values[table.index(p)] < need) {
        r.status[r.parent_cell[i]] = Status::kPrimary;
      }
    }
    r.problem = Problem{{std::move(small)}, rule, {}};
    return r;
  }
  return std::nullopt;
}

}  // namespace rapporteur::sdc::internal
