// Margins from sparse tables: when the whole-level route has suppressed the finest level of a
// dimension whole (every municipality) and levels above it as bare (police units), some cells
// of those coarser levels are safe to publish after all (a large police unit's total). They are
// tried one by one, the most aggregated and largest first, each kept published only if the
// audit still passes; the finest level stays suppressed whole, so every trial is audited on
// the table without it (the audit's exact level reduction).
#include <algorithm>

#include "sdc/internal/protect.h"
#include "sdc/sdc.h"

namespace rapporteur::sdc::internal {

std::int64_t release_margins(const Problem& problem, std::vector<Status>& status) {
  if (problem.margin_trials <= 0 || problem.tables.size() != 1) return 0;
  const Table& table = problem.tables.front();
  // The dimension whose finest level is suppressed whole.
  std::optional<std::size_t> chosen;
  std::vector<int> depth;
  int deepest = 0;
  for (std::size_t d = 0; d < table.dimensions.size() && !chosen; ++d) {
    depth = table.dimensions[d].depths();
    deepest = *std::max_element(depth.begin(), depth.end());
    if (deepest < 2) continue;
    bool whole = true;
    for (std::size_t i = 0; i < table.values.size() && whole; ++i) {
      if (depth[static_cast<std::size_t>(table.positions(i)[d])] != deepest) continue;
      whole = status[i] == Status::kPrimary || status[i] == Status::kSecondary;
    }
    if (whole) chosen = d;
  }
  if (!chosen) return 0;
  // Candidates: secondary cells strictly between the root and the finest level of that
  // dimension, with a safe count; the most aggregated (most dimensions at their total) first,
  // then the largest, then by position.
  struct Candidate {
    std::size_t cell;
    int totals;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    const auto at = table.positions(i);
    const int level = depth[static_cast<std::size_t>(at[*chosen])];
    if (status[i] != Status::kSecondary || level == 0 || level == deepest ||
        table.values[i] < problem.rule.min_frequency)
      continue;
    const int totals = static_cast<int>(std::count(at.begin(), at.end(), 0));
    candidates.push_back({i, totals});
  }
  std::stable_sort(candidates.begin(), candidates.end(), [&](const Candidate& a, const Candidate& b) {
    if (a.totals != b.totals) return a.totals > b.totals;
    return table.values[a.cell] > table.values[b.cell];
  });
  if (candidates.size() > static_cast<std::size_t>(problem.margin_trials)) {
    candidates.resize(static_cast<std::size_t>(problem.margin_trials));
  }
  const Attacker attacker = attacker_for(problem.rule);
  std::int64_t released = 0;
  for (const auto& c : candidates) {
    status[c.cell] = Status::kSafe;
    // A screening pass is a proof of safety; a failure (or an error) keeps the cell hidden.
    const auto trial = audit(problem, {status}, attacker, {.screening = true});
    if (trial && trial->passed()) {
      ++released;
    } else {
      status[c.cell] = Status::kSecondary;
    }
  }
  return released;
}

}  // namespace rapporteur::sdc::internal
