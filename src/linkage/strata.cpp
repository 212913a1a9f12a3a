#include "linkage/strata.h"

#include <fmt/format.h>

namespace rapporteur::linkage {

std::vector<std::string> split_dimensions(const std::string& joined) {
  std::vector<std::string> dims;
  for (std::size_t start = 0; start < joined.size();) {
    const auto comma = joined.find(',', start);
    dims.push_back(joined.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? joined.size() : comma + 1;
  }
  return dims;
}

Result<std::vector<Stratum>> strata(const Histories& histories, const std::vector<std::string>& dimensions,
                                    const std::map<std::string, std::string>& police_unit_of) {
  for (const auto& d : dimensions) {
    if (d != "form" && d != "sex" && d != "age" && d != "region") {
      return fail(ErrorCode::kInvalidArgument, fmt::format("--by '{}': expected form, sex, age and/or region", d));
    }
  }
  const auto value = [&](const CaptureHistory& row, const std::string& d) -> std::string {
    if (d == "form") return row.classification;
    if (d == "sex") return std::string(to_code(row.sex));
    if (d == "age") return row.age_group;
    const auto unit = police_unit_of.find(row.region);
    return unit == police_unit_of.end() ? "unknown" : unit->second;
  };
  std::map<std::string, std::vector<std::int64_t>> counts;
  for (const auto& row : histories.rows) {
    std::string key;
    for (const auto& d : dimensions) key += (key.empty() ? "" : "/") + value(row, d);
    auto& table = counts[key];
    if (table.empty()) table.assign(std::size_t{1} << histories.sources.size(), 0);
    std::size_t pattern = 0;
    for (std::size_t i = 0; i < row.seen.size(); ++i) pattern |= row.seen[i] ? std::size_t{1} << i : 0;
    table[pattern] += row.count;
  }
  std::vector<Stratum> result;
  for (auto& [name, c] : counts) result.push_back({name, std::move(c)});
  return result;
}

std::optional<std::string> region_of_stratum(const std::string& stratum, const std::vector<std::string>& dimensions) {
  std::size_t from = 0;
  for (const auto& d : dimensions) {
    const auto to = stratum.find('/', from);
    if (d == "region") return stratum.substr(from, to == std::string::npos ? std::string::npos : to - from);
    if (to == std::string::npos) return std::nullopt;
    from = to + 1;
  }
  return std::nullopt;
}

}  // namespace rapporteur::linkage
