// A descent over patterns: the first pattern's secondary cells are each forced published in
// turn and the table protected again from scratch. The linear programmes of the repair find
// a cheapest deviation for one cell at a time, so the first pattern is rarely the smallest;
// forcing out a cell the greedy start chose often lets a leaner pattern appear. Every accepted
// pattern passed the full audit inside protect_once, so the descent cannot lose safety.
#include <algorithm>

#include "sdc/internal/protect.h"
#include "sdc/internal/system.h"
#include "sdc/sdc.h"

namespace rapporteur::sdc {
namespace {

constexpr std::size_t kMaxCellsToImprove = 2000;

std::int64_t suppressed(const Protection& p) { return p.primary_cells + p.secondary_cells; }

bool better(const Protection& a, const Protection& b) {
  if (suppressed(a) != suppressed(b)) return suppressed(a) < suppressed(b);
  return a.secondary_units < b.secondary_units;
}

Result<Protection> descend(const Problem& problem);

}  // namespace

Result<Protection> protect(const Problem& problem) {
  std::size_t cells = 0;
  for (const auto& t : problem.tables) cells += t.values.size();
  const bool small = cells <= kMaxCellsToImprove && problem.strategy != Problem::Strategy::kFast;
  if (!small) {
    Problem by_units = problem;
    if (by_units.cost == Problem::Cost::kBest) by_units.cost = Problem::Cost::kUnits;
    ASSIGN_OR_RETURN(Protection p, internal::protect_once(by_units));
    if (problem.tables.size() == 1) {
      const auto before = p.status.front();
      p.margins_released = internal::release_margins(problem, p.status.front());
      p.released += p.margins_released;
      p.secondary_cells -= p.margins_released;
      for (std::size_t i = 0; i < before.size(); ++i) {
        if (before[i] != p.status.front()[i]) p.secondary_units -= problem.tables.front().values[i];
      }
    }
    return p;
  }
  if (problem.cost != Problem::Cost::kBest) return descend(problem);
  Problem by_units = problem;
  by_units.cost = Problem::Cost::kUnits;
  by_units.improvement_work = problem.improvement_work / 2;
  Problem by_cells = by_units;
  by_cells.cost = Problem::Cost::kCells;
  ASSIGN_OR_RETURN(Protection units, descend(by_units));
  auto fewest = descend(by_cells);
  if (!fewest) return units;
  const int trials = units.improvement_trials + fewest->improvement_trials;
  const bool cut = units.improvement_cut || fewest->improvement_cut;
  Protection& kept = better(*fewest, units) ? *fewest : units;
  kept.linear_programmes = units.linear_programmes + fewest->linear_programmes;
  kept.improvement_trials = trials;
  kept.improvement_cut = cut;
  return std::move(kept);
}

namespace {

Result<Protection> descend(const Problem& problem) {
  ASSIGN_OR_RETURN(Protection best, internal::protect_once(problem));
  const auto first_status = best.status;
  const std::int64_t first_programmes = best.linear_programmes;
  if (problem.improvement_trials <= 0) return best;
  Problem trial_problem = problem;  // Its forced list grows with every accepted step.
  std::int64_t cells = 0;
  for (const auto& t : problem.tables) cells += static_cast<std::int64_t>(t.values.size());
  // Every programme solved: the first protection's and each trial's, kept or not.
  std::int64_t programmes = best.linear_programmes;
  std::int64_t work = 0;
  int trials = 0;
  bool cut = false;
  for (bool improved = true; improved && trials < problem.improvement_trials;) {
    improved = false;
    // The best pattern's secondary cells, largest first (ties by position): the ones whose
    // release would give back most.
    std::vector<std::pair<std::size_t, std::size_t>> candidates;
    for (std::size_t t = 0; t < best.status.size(); ++t) {
      for (std::size_t i = 0; i < best.status[t].size(); ++i) {
        if (best.status[t][i] == Status::kSecondary) candidates.emplace_back(t, i);
      }
    }
    std::stable_sort(candidates.begin(), candidates.end(), [&](const auto& a, const auto& b) {
      return problem.tables[a.first].values[a.second] > problem.tables[b.first].values[b.second];
    });
    for (const auto& cell : candidates) {
      if (trials >= problem.improvement_trials) break;
      if (work >= problem.improvement_work) {
        cut = true;
        break;
      }
      if (std::find(problem.kept_suppressed.begin(), problem.kept_suppressed.end(), cell) !=
          problem.kept_suppressed.end()) {
        continue;
      }
      ++trials;
      Problem attempt = trial_problem;
      attempt.forced.push_back(cell);
      auto found = internal::protect_once(attempt);
      // A trial that finds no safe pattern is charged as much as the first protection was.
      const std::int64_t spent = found ? found->linear_programmes : first_programmes;
      programmes += spent;
      work += spent * cells;
      if (!found || !better(*found, best)) continue;  // No safe pattern with it published, or no gain.
      best = std::move(*found);
      trial_problem = std::move(attempt);
      improved = true;
      break;
    }
  }
  best.linear_programmes = programmes;
  best.improvement_trials = trials;
  best.improvement_cut = cut;
  // Cells forced only by the descent (in every table that shares them) are ordinary
  // published cells.
  for (std::size_t t = 0; t < best.status.size(); ++t) {
    for (std::size_t i = 0; i < best.status[t].size(); ++i) {
      if (best.status[t][i] == Status::kForced && first_status[t][i] != Status::kForced)
        best.status[t][i] = Status::kSafe;
    }
  }
  return best;
}

}  // namespace

}  // namespace rapporteur::sdc
