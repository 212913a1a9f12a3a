#include "linkage/linkage.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <unordered_map>

#include <fmt/format.h>

namespace rapporteur::linkage {
namespace {

// Union-find with path halving and union by size.
class DisjointSets {
 public:
  std::size_t add() {
    parent_.push_back(parent_.size());
    size_.push_back(1);
    return parent_.size() - 1;
  }
  std::size_t find(std::size_t x) {
    while (parent_[x] != x) {
      parent_[x] = parent_[parent_[x]];
      x = parent_[x];
    }
    return x;
  }
  void unite(std::size_t a, std::size_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (size_[a] < size_[b]) std::swap(a, b);
    parent_[b] = a;
    size_[a] += size_[b];
  }

 private:
  std::vector<std::size_t> parent_;
  std::vector<std::size_t> size_;
};

std::string classification_of(const Registration& r) {
  if (r.exploitation_form) return std::string(to_code(*r.exploitation_form));
  if (r.offence_type) return std::string(to_code(*r.offence_type));
  return "unknown";
}

std::string age_group_of(const Registration& r) {
  if (!r.age) return "unknown";
  return is_minor(*r.age) ? "minor" : "adult";
}

// The most frequent known value; ties go to the value seen first (sources are visited in
// their listed order).
std::string consensus(const std::vector<std::string>& values) {
  std::vector<std::pair<std::string, int>> counts;
  for (const auto& v : values) {
    if (v == "unknown") continue;
    auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == v; });
    if (it == counts.end())
      counts.emplace_back(v, 1);
    else
      ++it->second;
  }
  if (counts.empty()) return "unknown";
  return std::max_element(counts.begin(), counts.end(),
                          [](const auto& a, const auto& b) { return a.second < b.second; })
      ->first;
}

}  // namespace

namespace {

Result<std::unordered_map<std::string, std::size_t>> index_sources(const std::vector<Registration>& registrations,
                                                                   const std::vector<std::string>& sources) {
  std::unordered_map<std::string, std::size_t> source_index;
  for (std::size_t i = 0; i < sources.size(); ++i) {
    if (!source_index.emplace(sources[i], i).second) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("source '{}' is listed twice", sources[i]));
    }
  }
  for (const Registration& r : registrations) {
    if (!source_index.count(r.source_code)) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("registration from source '{}', which is not among the listed sources", r.source_code));
    }
  }
  return source_index;
}

// The persons of a grouping (group per registration), with consensus values.
std::vector<LinkedPerson> gather(const std::vector<Registration>& registrations,
                                 const std::vector<std::string>& sources,
                                 const std::unordered_map<std::string, std::size_t>& source_index,
                                 const std::vector<std::size_t>& group) {
  // Registrations of each person, visited in source order for the tie rule.
  std::vector<std::size_t> order(registrations.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return source_index.at(registrations[a].source_code) < source_index.at(registrations[b].source_code);
  });
  struct PersonRecord {
    std::string key;
    std::vector<bool> seen;
    std::vector<std::string> classifications, sexes, ages, regions;
    std::optional<ChainStage> stage;
  };
  std::map<std::size_t, PersonRecord> persons;
  for (const std::size_t i : order) {
    const Registration& r = registrations[i];
    PersonRecord& p = persons[group[i]];
    if (p.seen.empty()) p.seen.assign(sources.size(), false);
    if (p.key.empty() || r.person_key < p.key) p.key = r.person_key;
    p.seen[source_index.at(r.source_code)] = true;
    p.classifications.push_back(classification_of(r));
    p.sexes.emplace_back(to_code(r.sex));
    p.ages.push_back(age_group_of(r));
    p.regions.push_back(r.region_code ? *r.region_code : "unknown");
    if (r.chain_stage && (!p.stage || *r.chain_stage > *p.stage)) p.stage = r.chain_stage;
  }
  std::vector<LinkedPerson> result;
  result.reserve(persons.size());
  for (const auto& [root, p] : persons) {
    result.push_back({p.key, p.seen, consensus(p.classifications),
                      parse_sex(consensus(p.sexes)).value_or(Sex::kUnknown), consensus(p.ages), consensus(p.regions),
                      p.stage});
  }
  std::sort(result.begin(), result.end(), [](const LinkedPerson& a, const LinkedPerson& b) { return a.key < b.key; });
  return result;
}

}  // namespace

std::vector<std::uint32_t> key_clusters(const std::vector<Registration>& registrations) {
  DisjointSets sets;
  std::unordered_map<std::string, std::size_t> node_of_key;
  const auto node = [&](const std::string& key) {
    const auto [it, inserted] = node_of_key.emplace(key, 0);
    if (inserted) it->second = sets.add();
    return it->second;
  };
  std::vector<std::size_t> node_of_registration;
  node_of_registration.reserve(registrations.size());
  for (const Registration& r : registrations) {
    const std::size_t primary = node("p:" + r.person_key);
    if (r.name_key) sets.unite(primary, node("p:" + *r.name_key));
    node_of_registration.push_back(primary);
  }
  std::unordered_map<std::size_t, std::uint32_t> number_of_root;
  std::vector<std::uint32_t> cluster;
  cluster.reserve(registrations.size());
  for (const std::size_t n : node_of_registration) {
    const auto [it, inserted] = number_of_root.emplace(sets.find(n), static_cast<std::uint32_t>(number_of_root.size()));
    cluster.push_back(it->second);
  }
  return cluster;
}

Result<std::vector<LinkedPerson>> link_persons(const std::vector<Registration>& registrations,
                                               const std::vector<std::string>& sources) {
  return persons_of_clusters(registrations, sources, key_clusters(registrations));
}

Result<std::vector<LinkedPerson>> persons_of_clusters(const std::vector<Registration>& registrations,
                                                      const std::vector<std::string>& sources,
                                                      const std::vector<std::uint32_t>& cluster) {
  if (cluster.size() != registrations.size()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} clusters given for {} registrations", cluster.size(), registrations.size()));
  }
  ASSIGN_OR_RETURN(const auto source_index, index_sources(registrations, sources));
  return gather(registrations, sources, source_index, std::vector<std::size_t>(cluster.begin(), cluster.end()));
}

Histories histories_of(const std::vector<LinkedPerson>& persons, const std::vector<std::string>& sources) {
  using CellKey = std::tuple<std::vector<bool>, std::string, std::string, std::string, std::string>;
  std::map<CellKey, std::int64_t> cells;
  for (const auto& p : persons) {
    ++cells[{p.seen, p.classification, std::string(to_code(p.sex)), p.age_group, p.region}];
  }
  Histories histories;
  histories.sources = sources;
  histories.persons = static_cast<std::int64_t>(persons.size());
  for (const auto& [key, count] : cells) {
    const auto& [seen, classification, sex, age, region] = key;
    histories.rows.push_back({seen, classification, parse_sex(sex).value_or(Sex::kUnknown), age, region, count});
  }
  return histories;
}

Result<Histories> capture_histories(const std::vector<Registration>& registrations,
                                    const std::vector<std::string>& sources) {
  ASSIGN_OR_RETURN(const auto persons, link_persons(registrations, sources));
  return histories_of(persons, sources);
}

std::string to_csv(const Histories& histories) {
  std::string out;
  for (const auto& source : histories.sources) out += source + ",";
  out += "classification,sex,age_group,region,count\n";
  for (const CaptureHistory& row : histories.rows) {
    for (const bool seen : row.seen) out += seen ? "1," : "0,";
    out += fmt::format("{},{},{},{},{}\n", row.classification, to_code(row.sex), row.age_group, row.region, row.count);
  }
  return out;
}

}  // namespace rapporteur::linkage
