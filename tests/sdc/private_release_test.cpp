#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <random>

#include "sdc/sdc.h"

namespace rapporteur::sdc {
namespace {

// Compares sample frequencies with a pmf: every value within 5 standard errors of its
// binomial expectation, and a chi-square over the cells expecting at least 20 below its
// 0.999 quantile (Wilson-Hilferty approximation).
void expect_follows(const std::map<std::int64_t, std::int64_t>& counts, std::int64_t n,
                    const std::function<double(std::int64_t)>& pmf, std::int64_t range) {
  double chi2 = 0;
  int cells = 0;
  for (std::int64_t k = -range; k <= range; ++k) {
    const double expected = pmf(k) * static_cast<double>(n);
    const auto it = counts.find(k);
    const double observed = it == counts.end() ? 0.0 : static_cast<double>(it->second);
    EXPECT_NEAR(observed, expected, 5 * std::sqrt(expected * (1 - pmf(k))) + 1) << "k = " << k;
    if (expected >= 20) {
      chi2 += (observed - expected) * (observed - expected) / expected;
      ++cells;
    }
  }
  const double df = cells - 1;
  const double z = 3.09;  // 0.999
  const double quantile = df * std::pow(1 - 2 / (9 * df) + z * std::sqrt(2 / (9 * df)), 3);
  EXPECT_LT(chi2, quantile) << cells << " cells";
}

TEST(PrivateRelease, GeometricNoiseFollowsItsDistribution) {
  std::mt19937_64 rng(11);
  const double epsilon = 0.7;
  const std::int64_t n = 200000;
  std::map<std::int64_t, std::int64_t> counts;

  for (std::int64_t i = 0; i < n; ++i) ++counts[sample_two_sided_geometric(epsilon, rng)];

  const double a = std::exp(-epsilon);
  expect_follows(
      counts, n, [&](std::int64_t k) { return (1 - a) / (1 + a) * std::pow(a, std::abs(static_cast<double>(k))); }, 12);
}

TEST(PrivateRelease, DiscreteGaussianNoiseFollowsItsDistribution) {
  std::mt19937_64 rng(12);
  const double sigma2 = 4.0;
  const std::int64_t n = 200000;
  std::map<std::int64_t, std::int64_t> counts;
  // Its normalising constant, summed directly.
  double z = 0;
  for (int k = -200; k <= 200; ++k) z += std::exp(-k * k / (2 * sigma2));

  for (std::int64_t i = 0; i < n; ++i) ++counts[sample_discrete_gaussian(sigma2, rng)];

  expect_follows(
      counts, n, [&](std::int64_t k) { return std::exp(-static_cast<double>(k * k) / (2 * sigma2)) / z; }, 9);
}

Table sparse_table() {
  std::vector<std::pair<std::string, std::string>> region{{"NL", ""}};
  for (int u = 0; u < 4; ++u) {
    region.emplace_back("U" + std::to_string(u), "NL");
    for (int m = 0; m < 5; ++m)
      region.emplace_back("m" + std::to_string(u) + std::to_string(m), "U" + std::to_string(u));
  }
  Table t{"t", {*make_dimension("region", region), *make_dimension("sex", {{"T", ""}, {"F", "T"}, {"M", "T"}})}, {}};
  t.values.assign(t.cell_count(), 0);
  std::mt19937 rng(5);
  for (std::size_t i = 0; i < t.values.size(); ++i) {
    const auto at = t.positions(i);
    const bool leaf = t.dimensions[0].parents[static_cast<std::size_t>(at[0])] > 0 && at[1] > 0;
    if (!leaf) continue;
    const std::int64_t v = rng() % 3 == 0 ? 0 : static_cast<std::int64_t>(rng() % 12);
    for (const int r : {at[0], t.dimensions[0].parents[static_cast<std::size_t>(at[0])], 0}) {
      for (const int s : {at[1], 0}) t.values[t.index({r, s})] += v;
    }
  }
  return t;
}

TEST(PrivateRelease, IsIntegerNonNegativeExactlyAdditiveAndRepeatableBySeed) {
  const Table t = sparse_table();
  for (const auto mechanism : {Mechanism::kGeometric, Mechanism::kDiscreteGaussian}) {
    const PrivacyBudget budget{.mechanism = mechanism, .epsilon = 0.5, .rho = 0.1};

    const auto one = release_private(t, budget, 42, 20);
    const auto two = release_private(t, budget, 42, 20);
    const auto other = release_private(t, budget, 43, 20);

    ASSERT_TRUE(one.has_value()) << one.error().message;
    Table released = t;
    released.values = one->values;
    EXPECT_TRUE(check_additive(released).has_value());  // Every margin the exact sum of its parts, none negative.
    EXPECT_EQ(one->values, two->values);
    EXPECT_NE(one->values, other->values);
    EXPECT_NE(one->values, t.values);
  }
}

TEST(PrivateRelease, ReportsAccuracyPerLevelThatGrowsWithTheLeavesSummed) {
  const Table t = sparse_table();

  const auto r = release_private(t, {.mechanism = Mechanism::kDiscreteGaussian, .rho = 0.5}, 7, 400);

  ASSERT_TRUE(r.has_value());
  // Levels: region depth 0..2 times sex depth 0..1.
  ASSERT_EQ(r->accuracy.size(), 6u);
  for (const auto& a : r->accuracy) {
    if (a.level == std::vector<int>{2, 1}) {
      EXPECT_EQ(a.leaves_per_cell, 1);
      // Unclamped noise has variance 1 / (2 rho) = 1; clamping only shrinks the error of a
      // cell near zero, so the simulated error lies at or below it, and near it.
      EXPECT_LE(a.rmse, 1.1);
      EXPECT_GT(a.rmse, 0.6);
    }
    if (a.level == std::vector<int>{0, 0}) {
      EXPECT_EQ(a.leaves_per_cell, 40);
      EXPECT_GT(a.rmse, std::sqrt(40.0) * 0.8);  // Forty leaves' noise (and their clamping bias).
    }
  }
}

TEST(PrivateRelease, RefusesABudgetThatIsNotPositive) {
  const Table t = sparse_table();

  const auto r = release_private(t, {.mechanism = Mechanism::kGeometric, .epsilon = 0}, 1);

  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapporteur::sdc
