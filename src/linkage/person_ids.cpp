#include "linkage/person_ids.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <unordered_map>

#include <fmt/format.h>

namespace rapporteur::linkage {

Result<PersonIds> assign_person_ids(const std::vector<std::uint64_t>& records,
                                    const std::vector<std::uint32_t>& cluster, std::int64_t clusters,
                                    const std::vector<PersonIdRow>& previous, std::int64_t next_id) {
  if (records.size() != cluster.size()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} fingerprints for {} records; expected one per record", records.size(), cluster.size()));
  }
  std::unordered_map<std::uint64_t, std::int64_t> earlier;
  std::map<std::int64_t, std::int64_t> earlier_size;
  PersonIds ids;
  ids.next_id = std::max<std::int64_t>(next_id, 1);
  for (const auto& row : previous) {
    if (row.person <= 0) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("an earlier person id {}; expected one above 0", row.person));
    }
    earlier[row.record] = row.person;
    ++earlier_size[row.person];
    ids.next_id = std::max(ids.next_id, row.person + 1);
  }
  // Shared records per (cluster, earlier person), and each cluster's size.
  std::map<std::pair<std::uint32_t, std::int64_t>, std::int64_t> overlap;
  std::vector<std::int64_t> size(static_cast<std::size_t>(std::max<std::int64_t>(clusters, 0)), 0);
  std::unordered_map<std::uint64_t, bool> seen;
  for (std::size_t r = 0; r < records.size(); ++r) {
    if (cluster[r] >= size.size()) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("record {} in cluster {}; expected one below {}", r, cluster[r], clusters));
    }
    if (!seen.emplace(records[r], true).second) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("record {} repeats an earlier record's fingerprint", r));
    }
    ++size[cluster[r]];
    if (const auto it = earlier.find(records[r]); it != earlier.end()) ++overlap[{cluster[r], it->second}];
  }
  // Largest overlaps first; ties by the smaller earlier id, then the smaller cluster.
  std::vector<std::tuple<std::int64_t, std::int64_t, std::uint32_t>> candidates;
  for (const auto& [key, shared] : overlap) candidates.emplace_back(-shared, key.second, key.first);
  std::sort(candidates.begin(), candidates.end());
  ids.of_cluster.assign(size.size(), 0);
  std::map<std::int64_t, bool> taken;
  for (const auto& [negative_shared, person, c] : candidates) {
    if (ids.of_cluster[c] != 0 || taken.count(person) != 0) continue;
    ids.of_cluster[c] = person;
    taken[person] = true;
    ++ids.kept;
    if (-negative_shared == size[c] && earlier_size[person] == size[c]) ++ids.unchanged;
  }
  for (auto& id : ids.of_cluster) {
    if (id != 0) continue;
    id = ids.next_id++;
    ++ids.added;
  }
  ids.retired = static_cast<std::int64_t>(earlier_size.size()) - ids.kept;
  ids.rows.reserve(records.size());
  for (std::size_t r = 0; r < records.size(); ++r) ids.rows.push_back({records[r], ids.of_cluster[cluster[r]]});
  std::sort(ids.rows.begin(), ids.rows.end(),
            [](const PersonIdRow& a, const PersonIdRow& b) { return a.record < b.record; });
  return ids;
}

}  // namespace rapporteur::linkage
