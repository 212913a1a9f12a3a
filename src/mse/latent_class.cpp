// Gibbs sampler of the latent class model of Manrique-Vallier (2016, Biometrics 72(1)), section
// 3 and the appendix's algorithm: people i have classes z_i ~ Categorical(pi), pi truncated
// stick-breaking with concentration alpha ~ Gamma(a, b); list j sees a person of class k with
// probability lambda_jk ~ Beta(1, 1); p(N) proportional to 1/N. One sweep:
//   1. classes of the observed people given (lambda, pi), per capture pattern by one
//      multinomial draw (people with the same pattern are exchangeable);
//   2. (n0, classes of the unobserved) jointly: n0 ~ NegBin(n, 1 - pi0) with
//      pi0 = sum_k pi_k prod_j (1 - lambda_jk), then their classes by a multinomial draw;
//   3. lambda_jk ~ Beta(1 + captured_jk, 1 + size_k - captured_jk);
//   4. V_k ~ Beta(1 + size_k, alpha + sum_{l>k} size_l), k < K*, V_K* = 1;
//   5. alpha ~ Gamma(a + K* - 1, b - sum_{k<K*} log(1 - V_k)).
// The random variates are our own (xoshiro256++, Marsaglia-Tsang gamma, numpy's inversion and
// PTRS algorithms for small binomials and Poissons, so a seed gives the same draws everywhere;
// BTRS for large binomials.
#include "mse/latent_class.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <thread>

#include <fmt/format.h>

#include "mse/checks.h"

namespace rapporteur::mse {
namespace {

constexpr int kMaxClasses = 50;

std::uint64_t split_mix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// xoshiro256++ (Blackman and Vigna 2019), seeded through SplitMix64.
class Generator {
 public:
  using result_type = std::uint64_t;

  Generator(std::uint64_t seed, std::uint64_t stream) {
    std::uint64_t state = seed ^ (0xd1b54a32d192ed03ULL * (stream + 1));
    for (auto& word : state_) word = split_mix(state);
  }
  static constexpr result_type min() { return 0; }
  static constexpr result_type max() { return ~result_type{0}; }

  result_type operator()() {
    const std::uint64_t result = rotl(state_[0] + state_[3], 23) + state_[0];
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform on the open interval (0, 1).
  double uniform() { return (static_cast<double>((*this)() >> 11) + 0.5) * 0x1.0p-53; }

  double normal() {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u = 0;
    double v = 0;
    double s = 0;
    do {
      u = 2 * uniform() - 1;
      v = 2 * uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s == 0);
    const double factor = std::sqrt(-2 * std::log(s) / s);
    spare_ = v * factor;
    has_spare_ = true;
    return u * factor;
  }

  // A Gamma(shape, 1) variate: Marsaglia and Tsang (2000); for shape < 1 the boost
  // G(a) = G(a + 1) U^(1/a), which underflows for tiny shapes (use log_gamma_variate there).
  double gamma(double shape) {
    if (shape < 1) return gamma(shape + 1) * std::pow(uniform(), 1 / shape);
    const double d = shape - 1.0 / 3;
    const double c = 1 / std::sqrt(9 * d);
    for (;;) {
      double x = 0;
      double v = 0;
      do {
        x = normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const double u = uniform();
      if (u < 1 - 0.0331 * x * x * x * x || std::log(u) < 0.5 * x * x + d * (1 - v + std::log(v))) return d * v;
    }
  }

  // log of a Gamma(shape, 1) variate, exact for tiny shapes.
  double log_gamma_variate(double shape) {
    if (shape < 1) return log_gamma_variate(shape + 1) + std::log(uniform()) / shape;
    return std::log(gamma(shape));
  }

  double beta(double a, double b) {
    if (a == 1 && b == 1) return uniform();
    if (a == 1) return 1 - std::pow(uniform(), 1 / b);
    if (b == 1) return std::pow(uniform(), 1 / a);
    const double x = gamma(a);
    const double y = gamma(b);
    return x / (x + y);
  }

  std::int64_t poisson(double mean) {
    if (mean <= 0) return 0;
    if (mean < 10) {
      const double limit = std::exp(-mean);
      std::int64_t k = 0;
      double product = uniform();
      while (product > limit) {
        ++k;
        product *= uniform();
      }
      return k;
    }
    // PTRS, Hormann (1993), as numpy's random_poisson_ptrs.
    const double root = std::sqrt(mean);
    const double log_mean = std::log(mean);
    const double b = 0.931 + 2.53 * root;
    const double a = -0.059 + 0.02483 * b;
    const double inverse_alpha = 1.1239 + 1.1328 / (b - 3.4);
    const double vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const double u = uniform() - 0.5;
      const double v = uniform();
      const double us = 0.5 - std::abs(u);
      const double k = std::floor((2 * a / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(k);
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (std::log(v) + std::log(inverse_alpha) - std::log(a / (us * us) + b) <=
          -mean + k * log_mean - std::lgamma(k + 1)) {
        return static_cast<std::int64_t>(k);
      }
    }
  }

  std::int64_t binomial(std::int64_t trials, double p) {
    if (trials <= 0 || p <= 0) return 0;
    if (p >= 1) return trials;
    if (p > 0.5) return trials - binomial(trials, 1 - p);
    if (trials < 16) {
      std::int64_t successes = 0;
      for (std::int64_t i = 0; i < trials; ++i) successes += uniform() < p ? 1 : 0;
      return successes;
    }
    const double q = 1 - p;
    const double mean = static_cast<double>(trials) * p;
    if (mean < 14) {
      // Inversion, as numpy's random_binomial_inversion.
      const double qn = std::exp(static_cast<double>(trials) * std::log(q));
      const double bound = std::min(static_cast<double>(trials), mean + 10 * std::sqrt(mean * q + 1));
      std::int64_t x = 0;
      double px = qn;
      double u = uniform();
      while (u > px) {
        ++x;
        if (static_cast<double>(x) > bound) {
          x = 0;
          px = qn;
          u = uniform();
        } else {
          u -= px;
          px = (static_cast<double>(trials - x + 1) * p * px) / (static_cast<double>(x) * q);
        }
      }
      return x;
    }
    // BTRS, Hormann (1993), transformed rejection with squeeze; the normalising constant only
    // on the slow path.
    const auto n = static_cast<double>(trials);
    const double spq = std::sqrt(mean * q);
    const double b = 1.15 + 2.53 * spq;
    const double a = -0.0873 + 0.0248 * b + 0.01 * p;
    const double c = mean + 0.5;
    const double vr = 0.92 - 4.2 / b;
    double h = NAN;
    for (;;) {
      const double u = uniform() - 0.5;
      double v = uniform();
      const double us = 0.5 - std::abs(u);
      const double k = std::floor((2 * a / us + b) * u + c);
      if (k < 0 || k > n) continue;
      if (us >= 0.07 && v <= vr) return static_cast<std::int64_t>(k);
      const double m = std::floor((n + 1) * p);
      if (std::isnan(h)) h = std::lgamma(m + 1) + std::lgamma(n - m + 1);
      const double alpha = (2.83 + 5.1 / b) * spq;
      v = std::log(v * alpha / (a / (us * us) + b));
      if (v <= h - std::lgamma(k + 1) - std::lgamma(n - k + 1) + (k - m) * std::log(p / q)) {
        return static_cast<std::int64_t>(k);
      }
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

  std::array<std::uint64_t, 4> state_{};
  double spare_ = 0;
  bool has_spare_ = false;
};

struct Pattern {
  unsigned bits = 0;
  std::int64_t count = 0;
};

// Adds a Multinomial(count, weights / sum(weights)) draw to `allocation`.
void allocate(Generator& generator, std::int64_t count, const double* weights, int classes, std::int64_t* allocation) {
  double mass = 0;
  for (int k = 0; k < classes; ++k) mass += weights[k];
  if (count <= classes) {
    for (std::int64_t i = 0; i < count; ++i) {
      double u = generator.uniform() * mass;
      int k = 0;
      while (k < classes - 1 && u >= weights[k]) u -= weights[k++];
      ++allocation[k];
    }
    return;
  }
  std::int64_t remaining = count;
  for (int k = 0; k < classes - 1 && remaining > 0; ++k) {
    const double p = mass > 0 ? std::min(1.0, weights[k] / mass) : 1.0;
    const std::int64_t drawn = generator.binomial(remaining, p);
    allocation[k] += drawn;
    remaining -= drawn;
    mass -= weights[k];
  }
  allocation[classes - 1] += remaining;
}

struct ChainInput {
  int lists = 0;
  std::vector<Pattern> patterns;  // Observed patterns with people.
  std::int64_t observed = 0;
};

// One chain; returns the kept draws of N.
std::vector<double> run_chain(const ChainInput& input, const LatentClassOptions& options, int chain) {
  Generator generator(options.seed, static_cast<std::uint64_t>(chain));
  const int classes = options.classes;
  const int lists = input.lists;
  // lambda[j * classes + k]; captured likewise.
  std::vector<double> lambda(static_cast<std::size_t>(lists * classes));
  std::vector<double> pi(static_cast<std::size_t>(classes));
  std::vector<double> weights(static_cast<std::size_t>(classes));
  std::vector<std::int64_t> size(static_cast<std::size_t>(classes));
  std::vector<std::int64_t> captured(static_cast<std::size_t>(lists * classes));
  std::vector<std::int64_t> allocation(static_cast<std::size_t>(classes));

  // Overdispersed starts (for R-hat): chain c starts with capture probabilities scaled by 2^-c,
  // so its first unobserved counts are far larger than the others'.
  const double start_scale = std::ldexp(1.0, -(chain % 4));
  for (auto& value : lambda) value = generator.uniform() * start_scale;
  for (int k = 0; k < classes; ++k) pi[k] = 1.0 / classes;
  double alpha = 1;

  std::vector<double> draws;
  draws.reserve(static_cast<std::size_t>(options.samples));
  const long total_iterations =
      static_cast<long>(options.burn_in) + static_cast<long>(options.samples) * options.thinning;
  for (long iteration = 1; iteration <= total_iterations; ++iteration) {
    if (iteration % 1000 == 0 && cancel_requested(options.cancellation)) return draws;
    std::fill(size.begin(), size.end(), 0);
    std::fill(captured.begin(), captured.end(), 0);
    // 1. The observed people's classes.
    for (const Pattern& pattern : input.patterns) {
      for (int k = 0; k < classes; ++k) weights[k] = pi[k];
      for (int j = 0; j < lists; ++j) {
        const double* row = &lambda[static_cast<std::size_t>(j * classes)];
        if ((pattern.bits >> j) & 1U) {
          for (int k = 0; k < classes; ++k) weights[k] *= row[k];
        } else {
          for (int k = 0; k < classes; ++k) weights[k] *= 1 - row[k];
        }
      }
      std::fill(allocation.begin(), allocation.end(), 0);
      allocate(generator, pattern.count, weights.data(), classes, allocation.data());
      for (int k = 0; k < classes; ++k) {
        if (allocation[k] == 0) continue;
        size[k] += allocation[k];
        for (int j = 0; j < lists; ++j) {
          if ((pattern.bits >> j) & 1U) captured[static_cast<std::size_t>(j * classes + k)] += allocation[k];
        }
      }
    }
    // 2. The unobserved count and their classes, drawn jointly.
    double unseen = 0;
    for (int k = 0; k < classes; ++k) {
      weights[k] = pi[k];
      for (int j = 0; j < lists; ++j) weights[k] *= 1 - lambda[static_cast<std::size_t>(j * classes + k)];
      unseen += weights[k];
    }
    // Guard: a state where nobody can be seen would make n0 infinite; 1e-12 keeps it finite
    // (about 1e12 n), far beyond any answer anyone would read.
    const double seen = std::max(1 - unseen, 1e-12);
    const double rate = generator.gamma(static_cast<double>(input.observed)) * unseen / seen;
    const std::int64_t missing = generator.poisson(rate);
    std::fill(allocation.begin(), allocation.end(), 0);
    allocate(generator, missing, weights.data(), classes, allocation.data());
    for (int k = 0; k < classes; ++k) size[k] += allocation[k];
    // 3. Capture probabilities.
    for (int j = 0; j < lists; ++j) {
      for (int k = 0; k < classes; ++k) {
        const auto index = static_cast<std::size_t>(j * classes + k);
        lambda[index] = generator.beta(1 + static_cast<double>(captured[index]),
                                       1 + static_cast<double>(size[k] - captured[index]));
      }
    }
    // 4. Stick-breaking weights; a stick with a tiny second shape (alpha below 1 and no one in
    // later classes) on the log scale, where 1 - V underflows: log(1 - V) drives alpha's update,
    // and rounding it (to -infinity, or by capping V below 1) visibly moves the tails of N.
    std::int64_t later = std::accumulate(size.begin(), size.end(), std::int64_t{0});
    double rest = 1;
    double sum_log_complement = 0;
    for (int k = 0; k < classes - 1; ++k) {
      later -= size[k];
      const double second = alpha + static_cast<double>(later);
      double stick = 0;
      double log_complement = 0;
      if (second >= 1) {
        const double x = generator.gamma(1 + static_cast<double>(size[k]));
        const double y = generator.gamma(second);
        stick = x / (x + y);
        log_complement = std::log(y / (x + y));
      } else {
        const double log_x = std::log(generator.gamma(1 + static_cast<double>(size[k])));
        const double log_y = generator.log_gamma_variate(second);
        const double log_sum = std::max(log_x, log_y) + std::log1p(std::exp(-std::abs(log_x - log_y)));
        stick = std::exp(log_x - log_sum);
        log_complement = log_y - log_sum;
      }
      log_complement = std::max(log_complement, -std::numeric_limits<double>::max());
      pi[k] = rest * stick;
      rest *= std::exp(log_complement);
      sum_log_complement += log_complement;
    }
    pi[classes - 1] = rest;
    // 5. Concentration.
    alpha = generator.gamma(options.alpha_shape + classes - 1) / (options.alpha_rate - sum_log_complement);

    if (iteration > options.burn_in && (iteration - options.burn_in) % options.thinning == 0) {
      draws.push_back(static_cast<double>(input.observed + missing));
    }
  }
  return draws;
}

double quantile(std::vector<double> sorted_values, double probability) {
  // Type 7 (R's default): linear between order statistics.
  const double position = probability * static_cast<double>(sorted_values.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(position));
  const std::size_t above = std::min(below + 1, sorted_values.size() - 1);
  const double fraction = position - static_cast<double>(below);
  return sorted_values[below] + fraction * (sorted_values[above] - sorted_values[below]);
}

double mean_of(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0) / static_cast<double>(values.size());
}

}  // namespace

Result<ConvergenceDiagnostics> diagnose_convergence(const std::vector<std::vector<double>>& chains) {
  if (chains.empty()) return fail(ErrorCode::kInvalidArgument, "convergence needs at least one chain, got none");
  const std::size_t length = chains.front().size();
  for (const auto& chain : chains) {
    if (chain.size() != length) {
      return fail(
          ErrorCode::kInvalidArgument,
          fmt::format("chains differ in length ({} and {} draws); expected equal lengths", length, chain.size()));
    }
  }
  if (length < 4) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("a chain has {} draws; expected at least 4", length));
  }
  // Split every chain in halves (BDA3 11.4).
  const std::size_t half = length / 2;
  std::vector<std::vector<double>> split;
  for (const auto& chain : chains) {
    split.emplace_back(chain.begin(), chain.begin() + static_cast<std::ptrdiff_t>(half));
    split.emplace_back(chain.end() - static_cast<std::ptrdiff_t>(half), chain.end());
  }
  const auto m = static_cast<double>(split.size());
  const auto n = static_cast<double>(half);
  std::vector<double> means;
  double within = 0;
  for (const auto& chain : split) {
    const double mu = mean_of(chain);
    means.push_back(mu);
    double ss = 0;
    for (const double value : chain) ss += (value - mu) * (value - mu);
    within += ss / (n - 1) / m;
  }
  const double grand = mean_of(means);
  double between = 0;
  for (const double mu : means) between += (mu - grand) * (mu - grand);
  between *= n / (m - 1);
  const double pooled = (n - 1) / n * within + between / n;
  ConvergenceDiagnostics diagnostics;
  if (within <= 0) {
    // Constant chains: they agree only if they sit on the same value.
    diagnostics.r_hat = between > 0 ? INFINITY : 1;
    diagnostics.effective_sample_size = between > 0 ? 1 : m * n;
    return diagnostics;
  }
  diagnostics.r_hat = std::sqrt(pooled / within);
  // Autocorrelations from the variogram (BDA3 11.5), summed in pairs while the pair sums stay
  // positive and kept monotone (Geyer 1992), as Stan does.
  const auto rho = [&](std::size_t lag) {
    double variogram = 0;
    for (const auto& chain : split) {
      for (std::size_t i = lag; i < half; ++i) variogram += (chain[i] - chain[i - lag]) * (chain[i] - chain[i - lag]);
    }
    variogram /= m * (n - static_cast<double>(lag));
    return 1 - variogram / (2 * pooled);
  };
  double tau = -1;
  double previous_pair = INFINITY;
  for (std::size_t lag = 0; lag + 1 < half; lag += 2) {
    double pair = (lag == 0 ? 1.0 : rho(lag)) + rho(lag + 1);
    if (pair < 0) break;
    pair = std::min(pair, previous_pair);
    previous_pair = pair;
    tau += 2 * pair;
  }
  tau = std::max(tau, 1 / std::log10(m * n));
  diagnostics.effective_sample_size = m * n / tau;
  return diagnostics;
}

Result<LatentClassResult> estimate_latent_class(const CaptureTable& table, const LatentClassOptions& options) {
  if (table.list_count() < 2 || table.list_count() > kMaxLists ||
      table.counts.size() != (std::size_t{1} << table.list_count())) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("the latent class model needs 2 to {} lists with 2^K counts, got {} lists and {} counts",
                            kMaxLists, table.list_count(), table.counts.size()));
  }
  if (options.classes < 2 || options.classes > kMaxClasses || options.chains < 1 || options.samples < 1 ||
      options.thinning < 1 || options.burn_in < 0 || options.threads < 1 || !(options.level > 0 && options.level < 1) ||
      !(options.alpha_shape > 0) || !(options.alpha_rate > 0)) {
    return fail(
        ErrorCode::kInvalidArgument,
        fmt::format("latent class options out of range: classes {} (2 to {}), chains {}, samples {}, thinning {} "
                    "(all at least 1), burn-in {} (at least 0), threads {}, level {} (in (0, 1)), alpha prior "
                    "({}, {}) (positive)",
                    options.classes, kMaxClasses, options.chains, options.samples, options.thinning, options.burn_in,
                    options.threads, options.level, options.alpha_shape, options.alpha_rate));
  }
  std::vector<std::string> dropped;
  const CaptureTable used = without_empty_lists(table, &dropped);
  ChainInput input;
  input.lists = used.list_count();
  for (std::size_t p = 1; p < used.counts.size(); ++p) {
    if (used.counts[p] < 0) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("pattern {} has a negative count {}", p, used.counts[p]));
    }
    if (used.counts[p] > 0) input.patterns.push_back({static_cast<unsigned>(p), used.counts[p]});
    input.observed += used.counts[p];
  }
  if (input.observed == 0) return fail(ErrorCode::kInvalidArgument, "the table has no observed person");
  if (input.lists < 2) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("only {} list saw anyone; the latent class model needs at least 2", input.lists));
  }

  LatentClassResult result;
  result.observed = input.observed;
  result.draws.resize(static_cast<std::size_t>(options.chains));
  const int threads = std::min(options.threads, options.chains);
  {
    std::vector<std::jthread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (int c = t; c < options.chains; c += threads)
          result.draws[static_cast<std::size_t>(c)] = run_chain(input, options, c);
      });
    }
  }

  if (cancel_requested(options.cancellation))
    return fail(ErrorCode::kCancelled, "the latent class sampler was cancelled");
  std::vector<double> pooled;
  for (const auto& chain : result.draws) {
    std::vector<double> sorted = chain;
    std::sort(sorted.begin(), sorted.end());
    const double tail = (1 - options.level) / 2;
    result.chains.push_back({quantile(sorted, 0.5), quantile(sorted, tail), quantile(sorted, 1 - tail)});
    pooled.insert(pooled.end(), chain.begin(), chain.end());
  }
  std::sort(pooled.begin(), pooled.end());
  const double tail = (1 - options.level) / 2;
  result.median = quantile(pooled, 0.5);
  result.low = quantile(pooled, tail);
  result.high = quantile(pooled, 1 - tail);
  result.mean = mean_of(pooled);

  for (const auto& name : dropped) {
    result.warnings.push_back(fmt::format("list {} saw nobody and was left out", name));
  }
  for (auto& warning : data_warnings(used)) result.warnings.push_back(std::move(warning));
  if (options.samples >= 4) {
    const auto diagnostics = diagnose_convergence(result.draws);
    if (diagnostics) {
      result.r_hat = diagnostics->r_hat;
      result.effective_sample_size = diagnostics->effective_sample_size;
    }
    if (options.chains > 1 && result.r_hat > 1.1) {
      result.warnings.push_back(
          fmt::format("the chains have not converged: split R-hat of N is {:.2f} (expected below 1.1); run longer or "
                      "report the chains "
                      "separately",
                      result.r_hat));
    }
    if (result.effective_sample_size < 100) {
      result.warnings.push_back(
          fmt::format("only {:.0f} effective draws of N (expected at least 100): the interval is imprecise; run longer",
                      result.effective_sample_size));
    }
  }
  const auto [lowest, highest] =
      std::minmax_element(result.chains.begin(), result.chains.end(),
                          [](const ChainSummary& a, const ChainSummary& b) { return a.median < b.median; });
  if (highest->median > 1.1 * lowest->median) {
    result.warnings.push_back(fmt::format(
        "the chains disagree: their medians of N range from {:.0f} to {:.0f}; the posterior may have several modes",
        lowest->median, highest->median));
  }
  return result;
}

}  // namespace rapporteur::mse
