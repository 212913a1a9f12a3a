#include <gtest/gtest.h>

#include <random>

#include "sdc/sdc.h"

namespace rapporteur::sdc {
namespace {

// region (country -> 4 police units -> 6 municipalities each) x form (3) x sex (2), a person
// in 15% of the leaves: every municipality cell is small and so are nearly all police-unit
// cells, so both levels go whole; some police units' totals reach the threshold.
Table police_units_table(unsigned seed) {
  std::vector<std::pair<std::string, std::string>> region{{"NL", ""}};
  for (int u = 0; u < 4; ++u) {
    region.emplace_back("U" + std::to_string(u), "NL");
    for (int m = 0; m < 6; ++m)
      region.emplace_back("m" + std::to_string(u) + std::to_string(m), "U" + std::to_string(u));
  }
  const auto flat = [](const std::string& name, const std::vector<std::string>& leaves) {
    std::vector<std::pair<std::string, std::string>> codes{{"T", ""}};
    for (const auto& l : leaves) codes.emplace_back(l, "T");
    return *make_dimension(name, codes);
  };
  Table t{"units", {*make_dimension("region", region), flat("form", {"s", "l", "c"}), flat("sex", {"F", "M"})}, {}};
  t.values.assign(t.cell_count(), 0);
  std::mt19937 rng(seed);
  for (std::size_t i = 0; i < t.values.size(); ++i) {
    const auto at = t.positions(i);
    const int parent = t.dimensions[0].parents[static_cast<std::size_t>(at[0])];
    if (parent <= 0 || at[1] == 0 || at[2] == 0) continue;
    const std::int64_t v = rng() % 100 < 15 ? 1 : 0;
    for (const int r : {at[0], parent, 0}) {
      for (const int f : {at[1], 0}) {
        for (const int s : {at[2], 0}) t.values[t.index({r, f, s})] += v;
      }
    }
  }
  return t;
}

TEST(ReleaseMargins, PoliceUnitTotalsArePublishedWhileMunicipalitiesStaySuppressedWhole) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    const Table t = police_units_table(seed);
    Problem problem{
        {t}, {.min_frequency = 5, .zeros = ZeroCells::kSecondary, .protection_percent = 0, .min_level = 1}, {}};
    problem.strategy = Problem::Strategy::kFast;
    Problem without = problem;
    without.margin_trials = 0;

    const auto p = protect(problem);
    const auto bare = protect(without);

    ASSERT_TRUE(p.has_value()) << p.error().message;
    ASSERT_TRUE(bare.has_value()) << bare.error().message;
    std::int64_t units_published = 0;
    std::int64_t units_published_bare = 0;
    for (std::size_t i = 0; i < t.values.size(); ++i) {
      const int r = t.positions(i)[0];
      const int parent = t.dimensions[0].parents[static_cast<std::size_t>(r)];
      if (parent > 0) {
        EXPECT_NE(p->status[0][i], Status::kSafe) << "a municipality cell is published";
      }
      if (parent == 0) {
        units_published += p->status[0][i] == Status::kSafe ? 1 : 0;
        units_published_bare += bare->status[0][i] == Status::kSafe ? 1 : 0;
      }
    }
    EXPECT_GT(units_published, units_published_bare) << "seed " << seed;
    EXPECT_EQ(p->margins_released, units_published - units_published_bare);
    // Checked by the programme over every cell, without the level reduction the trials used.
    const auto checked = audit(problem, p->status, attacker_for(problem.rule), {.reduce_levels = false});
    ASSERT_TRUE(checked.has_value()) << checked.error().message;
    EXPECT_TRUE(checked->passed()) << "seed " << seed << ": " << checked->violations << " violations";
  }
}

}  // namespace
}  // namespace rapporteur::sdc
