#include <fmt/format.h>

#include "sdc/internal/system.h"
#include "sdc/sdc.h"

namespace rapporteur::sdc {

std::string to_jj(const Problem& problem, const std::vector<std::vector<Status>>& status) {
  auto built = internal::build_system(problem);
  if (!built) return {};
  const internal::System& system = *built;
  std::vector<Status> state(system.values.size(), Status::kSafe);
  for (std::size_t t = 0; t < status.size() && t < system.cell_of.size(); ++t) {
    for (std::size_t i = 0; i < status[t].size() && i < system.cell_of[t].size(); ++i)
      state[system.cell_of[t][i]] = status[t][i];
  }
  std::int64_t upper = 0;
  for (const auto v : system.values) upper = std::max(upper, v);
  std::string out = fmt::format("0\n{}\n", system.values.size());
  for (std::size_t c = 0; c < system.values.size(); ++c) {
    const std::int64_t v = system.values[c];
    const char code = state[c] == Status::kPrimary     ? 'u'
                      : state[c] == Status::kSecondary ? 'm'
                      : state[c] == Status::kForced    ? 'z'
                                                       : 's';
    const std::int64_t level = state[c] == Status::kPrimary ? protection_level(problem.rule, v) : 0;
    // Cost as tau-ARGUS's default for frequency tables: the cell's value (at least 1).
    out += fmt::format("{} {} {} {} {} {} {} {} 0\n", c, v, std::max<std::int64_t>(1, v), code, 0, upper * 2, level,
                       level);
  }
  out += fmt::format("{}\n", system.relations.size());
  for (const auto& r : system.relations) {
    out += fmt::format("0 {} : {} (-1)", r.children.size() + 1, r.parent);
    for (const auto c : r.children) out += fmt::format(" {} (1)", c);
    out += '\n';
  }
  return out;
}

}  // namespace rapporteur::sdc
