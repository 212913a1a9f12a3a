// Published demo tables against the threshold rule on derivable sums, checked by a second
// implementation written here: exact elimination (modulo two primes) of the additive relations
// restricted to the suppressed cells. It shares no code with sdc::audit, which bounds cells by
// linear programming; a sum that elimination derives is pinned for the audit's attacker too.
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "cli/run_cli.h"
#include "test_support.h"

namespace rapporteur::cli {
namespace {

using rapporteur::testing::TempDir;

using test_support::Outcome;
using test_support::run_cli;

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// Row echelon form of sparse rows over GF(p); answers whether a vector lies in the row space.
class RowSpace {
 public:
  explicit RowSpace(std::uint64_t prime) : p_(prime) {}

  void add(std::map<int, std::uint64_t> row) {
    reduce(row);
    if (row.empty()) return;
    const auto [lead, factor] = *row.begin();
    const std::uint64_t inverse = power(factor, p_ - 2);
    for (auto& [c, v] : row) v = v * inverse % p_;
    pivots_[lead] = std::move(row);
  }

  bool contains(std::map<int, std::uint64_t> row) const {
    reduce(row);
    return row.empty();
  }

 private:
  void reduce(std::map<int, std::uint64_t>& row) const {
    auto it = row.begin();
    while (it != row.end()) {
      const auto pivot = pivots_.find(it->first);
      if (pivot == pivots_.end()) {
        ++it;
        continue;
      }
      const std::uint64_t factor = it->second;
      const int at = it->first;
      for (const auto& [c, v] : pivot->second) {
        auto& x = row[c];
        x = (x + p_ - v * factor % p_) % p_;
        if (x == 0) row.erase(c);
      }
      it = row.upper_bound(at);
    }
  }
  std::uint64_t power(std::uint64_t base, std::uint64_t exponent) const {
    std::uint64_t result = 1;
    for (base %= p_; exponent; exponent >>= 1, base = base * base % p_) {
      if (exponent & 1) result = result * base % p_;
    }
    return result;
  }

  std::uint64_t p_;
  std::map<int, std::map<int, std::uint64_t>> pivots_;
};

// What the independent check finds in one linked set of published tables.
struct Findings {
  std::vector<std::string> small_groups;  // Derivable group sums in 1 .. n-1.
  std::vector<std::string> small_exact;   // Exactly derivable cells with 1 .. n-1 units.
  std::size_t suppressed = 0;
};

// Every table of `published` (with its true values in `truth`, same order) is one linked set:
// cells with the same non-root codes on the dimensions named alike are one cell, as the
// platform links tables of one mandate and role. Groups: per relation, its suppressed
// children, and those of them not derivable one by one; singles: every suppressed cell.
Findings check_linked(const std::vector<nlohmann::json>& published, const std::vector<nlohmann::json>& truth) {
  std::map<std::vector<std::string>, int> id;
  std::vector<std::int64_t> value;
  std::vector<char> hidden;
  std::vector<std::string> name;
  std::vector<std::pair<int, std::vector<int>>> relations;  // (parent, children)
  const std::int64_t n = published.front()["rule"]["min_frequency"].get<std::int64_t>();
  for (std::size_t t = 0; t < published.size(); ++t) {
    const auto& dims = published[t]["dimensions"];
    std::vector<std::map<std::string, std::string>> parent_of(dims.size());
    for (std::size_t d = 0; d < dims.size(); ++d) {
      for (const auto& c : dims[d]["codes"])
        parent_of[d][c["code"]] = c["parent"].is_null() ? "" : c["parent"].get<std::string>();
    }
    const auto cell_id = [&](const std::vector<std::string>& key) {
      std::vector<std::string> linked;
      for (std::size_t d = 0; d < key.size(); ++d) {
        if (!parent_of[d].at(key[d]).empty()) linked.push_back(dims[d]["name"].get<std::string>() + "=" + key[d]);
      }
      std::sort(linked.begin(), linked.end());
      return id.at(linked);
    };
    std::map<std::vector<std::string>, std::int64_t> true_value;
    for (const auto& c : truth[t]["cells"])
      true_value[c["key"].get<std::vector<std::string>>()] = c["value"].get<std::int64_t>();
    for (const auto& c : published[t]["cells"]) {
      const auto key = c["key"].get<std::vector<std::string>>();
      std::vector<std::string> linked;
      std::string label = published[t]["name"].get<std::string>() + "(";
      for (std::size_t d = 0; d < key.size(); ++d) {
        label += (d ? "," : "") + key[d];
        if (!parent_of[d].at(key[d]).empty()) linked.push_back(dims[d]["name"].get<std::string>() + "=" + key[d]);
      }
      std::sort(linked.begin(), linked.end());
      const bool suppressed = c["status"] == "primary" || c["status"] == "secondary";
      const auto [it, inserted] = id.emplace(linked, static_cast<int>(value.size()));
      if (inserted) {
        value.push_back(true_value.at(key));
        hidden.push_back(suppressed ? 1 : 0);
        name.push_back(label + ")");
      }
      EXPECT_EQ(hidden[static_cast<std::size_t>(it->second)], suppressed ? 1 : 0)
          << label << ": a shared cell, one status";
    }
    for (const auto& c : published[t]["cells"]) {
      const auto key = c["key"].get<std::vector<std::string>>();
      for (std::size_t d = 0; d < key.size(); ++d) {
        std::vector<int> children;
        for (const auto& [code, parent] : parent_of[d]) {
          if (parent != key[d]) continue;
          auto child = key;
          child[d] = code;
          children.push_back(cell_id(child));
        }
        if (!children.empty()) relations.emplace_back(cell_id(key), std::move(children));
      }
    }
  }
  // Two primes below 2^32 (products fit in 64 bits): a sum derivable over the rationals is
  // derivable modulo any prime that divides none of the denominators; a hit modulo either
  // counts, so a miss is a miss modulo both.
  std::vector<RowSpace> spaces{RowSpace(2147483647ULL), RowSpace(4294967291ULL)};
  const std::vector<std::uint64_t> primes{2147483647ULL, 4294967291ULL};
  for (std::size_t s = 0; s < spaces.size(); ++s) {
    for (const auto& [parent, children] : relations) {
      std::map<int, std::uint64_t> row;
      if (hidden[static_cast<std::size_t>(parent)]) row[parent] = 1;
      for (const int c : children) {
        if (hidden[static_cast<std::size_t>(c)]) row[c] = primes[s] - 1;
      }
      if (!row.empty()) spaces[s].add(std::move(row));
    }
  }
  const auto derivable = [&](const std::vector<int>& group) {
    std::map<int, std::uint64_t> indicator;
    for (const int c : group) indicator[c] = 1;
    return std::any_of(spaces.begin(), spaces.end(), [&](const RowSpace& space) { return space.contains(indicator); });
  };
  Findings found;
  std::vector<char> exact(value.size(), 0);
  for (std::size_t c = 0; c < value.size(); ++c) {
    if (!hidden[c]) continue;
    ++found.suppressed;
    exact[c] = derivable({static_cast<int>(c)}) ? 1 : 0;
    if (exact[c] && value[c] >= 1 && value[c] < n) found.small_exact.push_back(name[c]);
  }
  std::set<std::vector<int>> seen;
  for (const auto& [parent, children] : relations) {
    for (const bool without_exact : {false, true}) {
      std::vector<int> group;
      std::int64_t sum = 0;
      for (const int c : children) {
        const auto k = static_cast<std::size_t>(c);
        if (!hidden[k] || (without_exact && exact[k])) continue;
        group.push_back(c);
        sum += value[k];
      }
      if (group.size() < 2 || !seen.insert(group).second) continue;
      if (sum >= 1 && sum < n && derivable(group)) {
        std::string cells;
        for (const int c : group) cells += " " + name[static_cast<std::size_t>(c)];
        found.small_groups.push_back(std::to_string(sum) + " in" + cells);
      }
    }
  }
  return found;
}

// Publishes every demo table as scripts/demo does and checks each linked set.
void expect_no_small_derivable_sums(const std::string& first_year, const std::string& last_year) {
  TempDir dir;
  const auto db = (dir / "demo.db").string();
  ASSERT_EQ(run_cli({"--db", db, "demo", "--first-year", first_year, "--last-year", last_year}).status, kExitOk);
  const std::vector<std::string> names{"victims-form-sex-age", "victims-region-form", "victims-police-unit-sex",
                                       "children-region-offence", "suspects-chain"};
  std::vector<std::string> args{"--db", db, "publish"};
  args.insert(args.end(), names.begin(), names.end());
  args.insert(args.end(), {"--out", (dir / "published").string(), "--date", "2026-11-27"});

  const Outcome published = run_cli(args);

  ASSERT_EQ(published.status, kExitOk) << published.err;
  std::map<std::string, std::pair<std::vector<nlohmann::json>, std::vector<nlohmann::json>>> linked_sets;
  for (const auto& table : names) {
    auto json = read_json(dir / "published" / (table + ".json"));
    if (json["method"] != "suppression") continue;
    const Outcome raw = run_cli({"--db", db, "table", "show", table, "--json"});
    ASSERT_EQ(raw.status, kExitOk) << raw.err;
    auto& set = linked_sets[json["mandate"].get<std::string>() + "/" + json["role"].get<std::string>()];
    set.first.push_back(std::move(json));
    set.second.push_back(nlohmann::json::parse(raw.out));
  }
  ASSERT_EQ(linked_sets.size(), 2u) << "victims (three tables) and suspects";
  for (const auto& [population, tables] : linked_sets) {
    const Findings found = check_linked(tables.first, tables.second);

    EXPECT_GT(found.suppressed, 0u) << population;
    EXPECT_TRUE(found.small_groups.empty())
        << population << ", years " << first_year << "-" << last_year << ": " << found.small_groups.size()
        << " derivable small sums, first " << found.small_groups.front();
    EXPECT_TRUE(found.small_exact.empty()) << population << ": " << found.small_exact.front() << " is recoverable";
  }
}

// The demo world over 2019-2021 is where the outside audit found the chain table's leak: the
// reported stage of form "other" (12, a secondary) was exactly recoverable, which left
// registered + prosecuted = 4 + 5 = 9 derivable from the published total.
TEST(Publish, DemoTablesOverThreeYearsGiveNoSmallSumAway) { expect_no_small_derivable_sums("2019", "2021"); }

TEST(Publish, DemoTablesOverTheDefaultYearsGiveNoSmallSumAway) { expect_no_small_derivable_sums("2019", "2023"); }

// A hand-made pattern: two primary cells of one relation under a published parent, every
// other child of the relation revealed. Their sum (below the threshold) is then the parent
// minus the revealed children, and the audit of the published file refuses it.
TEST(Publish, AuditRefusesAHandMadePatternWhoseTwoSmallCellsSumIsDerivable) {
  TempDir dir;
  const auto db = (dir / "demo.db").string();
  ASSERT_EQ(run_cli({"--db", db, "demo", "--first-year", "2019", "--last-year", "2021"}).status, kExitOk);
  ASSERT_EQ(run_cli({"--db", db, "publish", "suspects-chain", "--out", (dir / "published").string()}).status, kExitOk);
  auto table = read_json(dir / "published" / "suspects-chain.json");
  const Outcome raw = run_cli({"--db", db, "table", "show", "suspects-chain", "--json"});
  ASSERT_EQ(raw.status, kExitOk);
  const auto truth = nlohmann::json::parse(raw.out);
  std::map<std::vector<std::string>, std::size_t> at;
  for (std::size_t i = 0; i < table["cells"].size(); ++i)
    at[table["cells"][i]["key"].get<std::vector<std::string>>()] = i;
  const auto& dims = table["dimensions"];
  std::int64_t sum = 0;
  for (std::size_t i = 0; i < table["cells"].size() && sum == 0; ++i) {
    if (table["cells"][i]["status"] != "safe") continue;
    const auto key = table["cells"][i]["key"].get<std::vector<std::string>>();
    for (std::size_t d = 0; d < key.size() && sum == 0; ++d) {
      std::vector<std::size_t> primaries, others;
      for (const auto& c : dims[d]["codes"]) {
        if (c["parent"] != key[d]) continue;
        auto child = key;
        child[d] = c["code"].get<std::string>();
        const std::size_t k = at.at(child);
        (table["cells"][k]["status"] == "primary" ? primaries : others).push_back(k);
      }
      if (primaries.size() != 2) continue;
      const std::int64_t pair = truth["cells"][primaries[0]]["value"].get<std::int64_t>() +
                                truth["cells"][primaries[1]]["value"].get<std::int64_t>();
      if (pair >= 10) continue;
      sum = pair;
      for (const std::size_t k : others) {
        table["cells"][k]["status"] = "safe";
        table["cells"][k]["value"] = truth["cells"][k]["value"];
      }
    }
  }
  ASSERT_GT(sum, 0) << "the chain table has two primaries under one published parent summing below 10";
  const auto path = dir / "hand-made.json";
  std::ofstream(path) << table.dump();

  const Outcome audited = run_cli({"--db", db, "table", "audit", "suspects-chain", "--published", path.string()});

  EXPECT_EQ(audited.status, kExitFailure) << audited.out;
  EXPECT_NE(audited.out.find("2 of its suppressed cells sum to " + std::to_string(sum)), std::string::npos)
      << audited.out;
}

}  // namespace
}  // namespace rapporteur::cli
