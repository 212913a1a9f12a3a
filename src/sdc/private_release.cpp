// Differentially private release of a frequency table. Each person counts in exactly one leaf
// cell (the finest code of every dimension), so the leaf histogram has L1 and L2 sensitivity
// 1 under adding or removing a person. Noise goes on the leaves only; clamping at zero and
// summing the leaves into every margin are post-processing, which costs no privacy (Dwork &
// Roth 2014, Prop. 2.1), and give a table that is integer, non-negative and exactly additive.
//   Geometric mechanism: two-sided geometric noise P(k) ~ exp(-epsilon |k|) is epsilon-DP
//   (Ghosh, Roughgarden & Sundararajan 2009).
//   Discrete Gaussian: N_Z(0, sigma^2) with sigma^2 = 1 / (2 rho) is rho-zCDP (Canonne, Kamath
//   & Steinke 2020, Thm. 4), hence (rho + 2 sqrt(rho ln(1/delta)), delta)-DP.
#include <cmath>
#include <map>
#include <random>

#include <fmt/format.h>

#include "sdc/sdc.h"

namespace rapporteur::sdc {
namespace {

bool bernoulli_exp(double gamma, std::mt19937_64& rng) {  // True with probability exp(-gamma).
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < std::exp(-gamma);
}

// Per cell: its depth in each dimension (the level it belongs to) and whether it is a leaf.
struct Levels {
  std::vector<std::vector<int>> depth_of;  // Per cell.
  std::vector<char> leaf;
};

Levels levels_of(const Table& table) {
  Levels out;
  std::vector<std::vector<int>> depth(table.dimensions.size());
  std::vector<std::vector<char>> is_leaf(table.dimensions.size());
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    const auto& dim = table.dimensions[d];
    depth[d] = dim.depths();
    is_leaf[d].assign(dim.codes.size(), 1);
    for (const int p : dim.parents) {
      if (p >= 0) is_leaf[d][static_cast<std::size_t>(p)] = 0;
    }
  }
  out.depth_of.resize(table.values.size());
  out.leaf.resize(table.values.size());
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    const auto at = table.positions(i);
    bool leaf = true;
    for (std::size_t d = 0; d < at.size(); ++d) {
      out.depth_of[i].push_back(depth[d][static_cast<std::size_t>(at[d])]);
      leaf = leaf && is_leaf[d][static_cast<std::size_t>(at[d])];
    }
    out.leaf[i] = leaf ? 1 : 0;
  }
  return out;
}

// Noisy leaves, clamped at zero, summed into every cell.
std::vector<std::int64_t> noisy_table(const Table& table, const Levels& levels, const PrivacyBudget& budget,
                                      std::mt19937_64& rng) {
  std::vector<std::int64_t> out(table.values.size(), 0);
  const double sigma2 = budget.mechanism == Mechanism::kDiscreteGaussian ? 1.0 / (2.0 * budget.rho) : 0.0;
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    if (!levels.leaf[i]) continue;
    const std::int64_t noise = budget.mechanism == Mechanism::kGeometric
                                   ? sample_two_sided_geometric(budget.epsilon, rng)
                                   : sample_discrete_gaussian(sigma2, rng);
    const std::int64_t v = std::max<std::int64_t>(0, table.values[i] + noise);
    // Every ancestor combination of this leaf holds it.
    const auto at = table.positions(i);
    std::vector<std::vector<int>> chains(at.size());
    for (std::size_t d = 0; d < at.size(); ++d) {
      for (int c = at[d]; c >= 0; c = table.dimensions[d].parents[static_cast<std::size_t>(c)]) chains[d].push_back(c);
    }
    std::vector<std::size_t> pick(at.size(), 0);
    std::vector<int> up(at.size());
    for (;;) {
      for (std::size_t d = 0; d < at.size(); ++d) up[d] = chains[d][pick[d]];
      out[table.index(up)] += v;
      std::size_t d = at.size();
      while (d > 0 && ++pick[d - 1] == chains[d - 1].size()) pick[--d] = 0;
      if (d == 0) break;
    }
  }
  return out;
}

}  // namespace

std::int64_t sample_two_sided_geometric(double epsilon, std::mt19937_64& rng) {
  // The difference of two geometric counts with success 1 - exp(-epsilon) has
  // P(k) = (1 - a) / (1 + a) a^|k|, a = exp(-epsilon).
  std::geometric_distribution<std::int64_t> geometric(1.0 - std::exp(-epsilon));
  return geometric(rng) - geometric(rng);
}

std::int64_t sample_discrete_gaussian(double sigma2, std::mt19937_64& rng) {
  // Canonne, Kamath & Steinke (2020), Algorithm 3: a discrete Laplace proposal with scale t,
  // accepted with probability exp(-(|y| - sigma^2/t)^2 / (2 sigma^2)). Floating-point
  // Bernoulli trials stand in for their exact ones.
  const double t = std::floor(std::sqrt(sigma2)) + 1;
  std::uniform_int_distribution<std::int64_t> uniform(0, static_cast<std::int64_t>(t) - 1);
  for (;;) {
    const std::int64_t u = uniform(rng);
    if (!bernoulli_exp(static_cast<double>(u) / t, rng)) continue;
    std::int64_t v = 0;
    while (bernoulli_exp(1.0, rng)) ++v;
    const std::int64_t y = u + static_cast<std::int64_t>(t) * v;
    const bool negative = std::uniform_int_distribution<int>(0, 1)(rng) == 1;
    if (negative && y == 0) continue;
    const double excess = static_cast<double>(y) - sigma2 / t;
    if (bernoulli_exp(excess * excess / (2.0 * sigma2), rng)) return negative ? -y : y;
  }
}

Result<PrivateRelease> release_private(const Table& table, const PrivacyBudget& budget, std::uint64_t seed,
                                       int replicates) {
  RETURN_IF_ERROR(check_additive(table));
  if (budget.mechanism == Mechanism::kGeometric && !(budget.epsilon > 0 && std::isfinite(budget.epsilon))) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("epsilon {}: expected a positive number", budget.epsilon));
  }
  if (budget.mechanism == Mechanism::kDiscreteGaussian && !(budget.rho > 0 && std::isfinite(budget.rho))) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("rho {}: expected a positive number", budget.rho));
  }
  if (replicates < 1)
    return fail(ErrorCode::kInvalidArgument, fmt::format("{} replicates: expected at least 1", replicates));
  const Levels levels = levels_of(table);
  std::mt19937_64 rng(seed);
  PrivateRelease out;
  out.budget = budget;
  out.values = noisy_table(table, levels, budget, rng);
  if (budget.mechanism == Mechanism::kGeometric) {
    const double a = std::exp(-budget.epsilon);
    out.leaf_noise_variance = 2.0 * a / ((1.0 - a) * (1.0 - a));
  } else {
    out.leaf_noise_variance = 1.0 / (2.0 * budget.rho);  // Close to the exact one for sigma >= 1.
  }
  // Accuracy per level by simulation on the released table (post-processing: no privacy
  // cost): the mechanism run again on what was published, each replicate's cells compared
  // with the published ones. It includes the bias that clamping adds where counts are small.
  std::map<std::vector<int>, std::size_t> level_index;
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    const auto [it, inserted] = level_index.emplace(levels.depth_of[i], out.accuracy.size());
    if (inserted) out.accuracy.push_back({levels.depth_of[i], 0, 0, 0, 0, 0});
    auto& a = out.accuracy[it->second];
    ++a.cells;
  }
  Table published = table;
  published.values = out.values;
  std::vector<double> squared(out.accuracy.size(), 0), absolute(out.accuracy.size(), 0),
      signed_sum(out.accuracy.size(), 0);
  for (int r = 0; r < replicates; ++r) {
    const auto again = noisy_table(published, levels, budget, rng);
    for (std::size_t i = 0; i < again.size(); ++i) {
      const std::size_t k = level_index[levels.depth_of[i]];
      const double e = static_cast<double>(again[i] - out.values[i]);
      squared[k] += e * e;
      absolute[k] += std::abs(e);
      signed_sum[k] += e;
    }
  }
  for (std::size_t k = 0; k < out.accuracy.size(); ++k) {
    auto& a = out.accuracy[k];
    const double n = static_cast<double>(a.cells) * replicates;
    a.rmse = std::sqrt(squared[k] / n);
    a.mean_absolute_error = absolute[k] / n;
    a.bias = signed_sum[k] / n;
  }
  // Leaves under a cell of each level (rounded mean per dimension): its noise variance
  // before clamping is that many times a leaf's.
  for (auto& a : out.accuracy) {
    std::int64_t per_cell = 1;
    for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
      // Leaves below a code at this depth, on average over the codes at that depth.
      const auto depth = table.dimensions[d].depths();
      std::vector<int> leaf_count(table.dimensions[d].codes.size(), 0);
      std::vector<char> has_children(table.dimensions[d].codes.size(), 0);
      for (const int p : table.dimensions[d].parents) {
        if (p >= 0) has_children[static_cast<std::size_t>(p)] = 1;
      }
      std::int64_t codes = 0;
      std::int64_t total = 0;
      for (std::size_t c = 0; c < depth.size(); ++c) {
        if (has_children[c]) continue;
        for (int x = static_cast<int>(c); x >= 0; x = table.dimensions[d].parents[static_cast<std::size_t>(x)]) {
          if (depth[static_cast<std::size_t>(x)] == a.level[d]) ++leaf_count[static_cast<std::size_t>(x)];
        }
      }
      for (std::size_t c = 0; c < depth.size(); ++c) {
        if (depth[c] == a.level[d]) {
          ++codes;
          total += leaf_count[c];
        }
      }
      per_cell *= codes ? std::max<std::int64_t>(1, (total + codes / 2) / codes) : 1;
    }
    a.leaves_per_cell = per_cell;
  }
  return out;
}

}  // namespace rapporteur::sdc
