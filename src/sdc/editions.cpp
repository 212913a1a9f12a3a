// Protection over the years: a new edition is protected as a linked table beside the editions
// already published, whose cells keep the status they were published with. An intruder holds
// every edition, so the audit's system is all of them (the union of their relations).
#include <unordered_map>

#include <fmt/format.h>

#include "sdc/internal/system.h"
#include "sdc/sdc.h"

namespace rapporteur::sdc {

Result<EditionsProtection> protect_over_editions(const std::vector<Edition>& published, const Problem& current) {
  EditionsProtection out;
  // The new tables' values by identity: they are what is true now.
  std::unordered_map<std::string, std::int64_t> now;
  for (const auto& table : current.tables) {
    if (table.values.size() != table.cell_count()) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("table {}: {} values for {} cells", table.name, table.values.size(), table.cell_count()));
    }
    for (std::size_t i = 0; i < table.values.size(); ++i)
      now.emplace(internal::identity(table, table.positions(i)), table.values[i]);
  }
  Problem& joint = out.problem;
  joint.rule = current.rule;
  joint.release_trials = current.release_trials;
  joint.strategy = current.strategy;
  for (std::size_t e = 0; e < published.size(); ++e) {
    Table table = published[e].table;
    const auto& status = published[e].status;
    if (status.size() != table.values.size() || table.values.size() != table.cell_count()) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("edition {} ({}): {} statuses for {} cells", e + 1,
                                                           table.name, status.size(), table.cell_count()));
    }
    for (std::size_t i = 0; i < table.values.size(); ++i) {
      const bool was_published = status[i] == Status::kSafe || status[i] == Status::kForced;
      const auto it = now.find(internal::identity(table, table.positions(i)));
      if (it != now.end() && it->second != table.values[i]) {
        out.revisions.push_back({e, i, was_published ? table.values[i] : 0, it->second, was_published});
        table.values[i] = it->second;
        continue;
      }
      if (was_published)
        joint.forced.emplace_back(e, i);
      else
        joint.kept_suppressed.emplace_back(e, i);
    }
    if (auto additive = check_additive(table); !additive) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("edition {} is revised in part: with the new values {} (re-issue the edition whole)",
                              e + 1, additive.error().message));
    }
    joint.tables.push_back(std::move(table));
  }
  const std::size_t offset = joint.tables.size();
  for (const auto& table : current.tables) joint.tables.push_back(table);
  for (const auto& [t, cell] : current.forced) joint.forced.emplace_back(t + offset, cell);
  for (const auto& [t, cell] : current.kept_suppressed) joint.kept_suppressed.emplace_back(t + offset, cell);
  ASSIGN_OR_RETURN(out.protection, protect(joint));
  return out;
}

}  // namespace rapporteur::sdc
