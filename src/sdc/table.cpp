#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "sdc/internal/levels.h"
#include "sdc/sdc.h"

namespace rapporteur::sdc {

std::string_view to_code(Status status) {
  switch (status) {
    case Status::kSafe:
      return "safe";
    case Status::kPrimary:
      return "primary";
    case Status::kSecondary:
      return "secondary";
    case Status::kForced:
      return "forced";
  }
  return "safe";
}

std::string_view to_code(Mechanism mechanism) {
  return mechanism == Mechanism::kGeometric ? "geometric" : "discrete_gaussian";
}

std::int64_t protection_level(const Rule& rule, std::int64_t value) {
  return std::max<std::int64_t>(
      rule.min_level,
      static_cast<std::int64_t>(std::ceil(rule.protection_percent / 100.0 * static_cast<double>(value) - 1e-9)));
}

Attacker attacker_for(const Rule& rule) { return {rule.zeros == ZeroCells::kSafe ? 1 : 0, true}; }

Result<Dimension> make_dimension(std::string name, const std::vector<std::pair<std::string, std::string>>& code_parent,
                                 const std::vector<std::string>& labels) {
  Dimension d;
  d.name = std::move(name);
  std::map<std::string, int> position;
  for (const auto& [code, parent] : code_parent) {
    if (code.empty()) return fail(ErrorCode::kInvalidArgument, fmt::format("dimension {}: an empty code", d.name));
    if (position.count(code)) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("dimension {}: code '{}' appears twice", d.name, code));
    }
    if (code == parent) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("dimension {}: code '{}' is its own parent", d.name, code));
    }
    int parent_position = -1;
    if (parent.empty()) {
      if (!d.codes.empty()) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("dimension {}: '{}' is a second root (only '{}' may have no parent)", d.name, code,
                                d.codes[0]));
      }
    } else {
      const auto it = position.find(parent);
      if (it == position.end()) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("dimension {}: parent '{}' of '{}' is not listed before it", d.name, parent, code));
      }
      parent_position = it->second;
    }
    if (d.codes.empty() && !parent.empty()) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("dimension {}: the first code must be the root", d.name));
    }
    position[code] = static_cast<int>(d.codes.size());
    d.codes.push_back(code);
    d.parents.push_back(parent_position);
  }
  if (d.codes.empty()) return fail(ErrorCode::kInvalidArgument, fmt::format("dimension {} has no codes", d.name));
  d.labels = labels;
  d.labels.resize(d.codes.size());
  return d;
}

std::vector<int> Dimension::depths() const {
  std::vector<int> depth(codes.size(), 0);
  for (std::size_t c = 0; c < codes.size(); ++c) {
    for (int p = parents[c]; p >= 0; p = parents[static_cast<std::size_t>(p)]) ++depth[c];
  }
  return depth;
}

std::size_t Table::cell_count() const {
  std::size_t n = 1;
  for (const auto& d : dimensions) n *= d.codes.size();
  return n;
}

std::size_t Table::index(const std::vector<int>& positions) const {
  std::size_t i = 0;
  for (std::size_t d = 0; d < dimensions.size(); ++d) {
    i = i * dimensions[d].codes.size() + static_cast<std::size_t>(positions[d]);
  }
  return i;
}

std::vector<int> Table::positions(std::size_t index) const {
  std::vector<int> p(dimensions.size());
  for (std::size_t d = dimensions.size(); d-- > 0;) {
    p[d] = static_cast<int>(index % dimensions[d].codes.size());
    index /= dimensions[d].codes.size();
  }
  return p;
}

Result<void> check_additive(const Table& table) {
  if (table.values.size() != table.cell_count()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("table {}: {} values for {} cells", table.name, table.values.size(), table.cell_count()));
  }
  std::vector<std::int64_t> child_sum(table.values.size() * table.dimensions.size(), 0);
  std::vector<char> has_children(table.values.size() * table.dimensions.size(), 0);
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    if (table.values[i] < 0) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("table {}: cell {} has a negative count {}", table.name, i, table.values[i]));
    }
    auto p = table.positions(i);
    for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
      const int parent = table.dimensions[d].parents[static_cast<std::size_t>(p[d])];
      if (parent < 0) continue;
      const int own = p[d];
      p[d] = parent;
      const std::size_t slot = table.index(p) * table.dimensions.size() + d;
      child_sum[slot] += table.values[i];
      has_children[slot] = 1;
      p[d] = own;
    }
  }
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
      const std::size_t slot = i * table.dimensions.size() + d;
      if (has_children[slot] && child_sum[slot] != table.values[i]) {
        const auto p = table.positions(i);
        std::string where;
        for (std::size_t k = 0; k < p.size(); ++k) {
          where += fmt::format("{}{}={}", k ? ", " : "", table.dimensions[k].name,
                               table.dimensions[k].codes[static_cast<std::size_t>(p[k])]);
        }
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("table {} is not additive: cell ({}) is {} but its children over {} sum to {}",
                                table.name, where, table.values[i], table.dimensions[d].name, child_sum[slot]));
      }
    }
  }
  return ok();
}

namespace internal {

CoarserDimension without_level(const Dimension& dim, const std::vector<int>& depth, int deepest) {
  CoarserDimension out{Dimension{dim.name, {}, {}, {}}, std::vector<int>(dim.codes.size(), -1), {}};
  for (std::size_t c = 0; c < dim.codes.size(); ++c) {
    if (depth[c] == deepest) continue;
    out.position[c] = static_cast<int>(out.dimension.codes.size());
    out.original.push_back(static_cast<int>(c));
    out.dimension.codes.push_back(dim.codes[c]);
    out.dimension.labels.push_back(c < dim.labels.size() ? dim.labels[c] : "");
    out.dimension.parents.push_back(dim.parents[c] < 0 ? -1 : out.position[static_cast<std::size_t>(dim.parents[c])]);
  }
  return out;
}

}  // namespace internal

}  // namespace rapporteur::sdc
