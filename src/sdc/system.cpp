#include <algorithm>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "sdc/internal/system.h"

namespace rapporteur::sdc::internal {

std::string identity(const Table& table, const std::vector<int>& p) {
  std::vector<std::pair<std::string, std::string>> parts;
  for (std::size_t d = 0; d < p.size(); ++d) {
    if (p[d] != 0 || table.dimensions[d].codes.size() == 1)
      parts.emplace_back(table.dimensions[d].name, table.dimensions[d].codes[static_cast<std::size_t>(p[d])]);
  }
  std::sort(parts.begin(), parts.end());
  std::string key;
  for (const auto& [name, code] : parts) key += name + '\x1f' + code + '\x1e';
  return key;
}

Result<System> build_system(const Problem& problem) {
  System system;
  std::unordered_map<std::string, std::size_t> id_of;
  for (std::size_t t = 0; t < problem.tables.size(); ++t) {
    const Table& table = problem.tables[t];
    RETURN_IF_ERROR(check_additive(table));
    std::vector<std::size_t> ids(table.cell_count());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto key = problem.tables.size() == 1 ? std::to_string(i) : identity(table, table.positions(i));
      const auto [it, inserted] = id_of.emplace(key, system.values.size());
      if (inserted) {
        system.values.push_back(table.values[i]);
        system.home.emplace_back(t, i);
      } else if (system.values[it->second] != table.values[i]) {
        const auto [other_table, other_cell] = system.home[it->second];
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("tables {} and {} share a cell but give it {} and {}", problem.tables[other_table].name,
                                table.name, system.values[it->second], table.values[i]));
      }
      ids[i] = it->second;
    }
    system.cell_of.push_back(std::move(ids));
  }
  std::unordered_set<std::string> seen;
  for (std::size_t t = 0; t < problem.tables.size(); ++t) {
    const Table& table = problem.tables[t];
    const auto& ids = system.cell_of[t];
    // Children of each code, per dimension.
    std::vector<std::vector<std::vector<int>>> children(table.dimensions.size());
    for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
      const auto& dim = table.dimensions[d];
      children[d].resize(dim.codes.size());
      for (std::size_t c = 0; c < dim.codes.size(); ++c) {
        if (dim.parents[c] >= 0) children[d][static_cast<std::size_t>(dim.parents[c])].push_back(static_cast<int>(c));
      }
    }
    for (std::size_t i = 0; i < ids.size(); ++i) {
      auto p = table.positions(i);
      for (std::size_t d = 0; d < p.size(); ++d) {
        const auto& kids = children[d][static_cast<std::size_t>(p[d])];
        if (kids.empty()) continue;
        Relation r;
        r.parent = ids[i];
        const int own = p[d];
        for (const int k : kids) {
          p[d] = k;
          r.children.push_back(ids[table.index(p)]);
        }
        p[d] = own;
        std::vector<std::size_t> members = r.children;
        std::sort(members.begin(), members.end());
        std::string key = std::to_string(r.parent) + ':';
        for (const auto m : members) key += std::to_string(m) + ',';
        if (!seen.insert(key).second) continue;
        system.relations.push_back(std::move(r));
      }
    }
  }
  system.relations_of.resize(system.values.size());
  for (std::size_t r = 0; r < system.relations.size(); ++r) {
    system.relations_of[system.relations[r].parent].push_back(r);
    for (const auto c : system.relations[r].children) system.relations_of[c].push_back(r);
  }
  return system;
}

}  // namespace rapporteur::sdc::internal
