// Latent-class multiple systems estimation: the Bayesian non-parametric latent class model of
// Manrique-Vallier (2016, Biometrics 72(1):157-165), as the R package LCMCR fits it. People
// fall into latent classes with their own capture probabilities per list, so heterogeneity
// that no covariate explains is modelled instead of ignored. Pure computation on plain data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "mse/mse.h"

namespace rapporteur::mse {

// The sampler's settings. The defaults follow LCMCR's usual use (HRDAG): truncation at K = 10
// classes, Gamma(0.25, 0.25) on the stick-breaking concentration, Beta(1, 1) on every capture
// probability, the prior p(N) proportional to 1/N, and per chain 10,000 burn-in iterations then
// 1,000 draws kept one in 100 (110,000 iterations).
struct LatentClassOptions {
  int classes = 10;           // Truncation level K* of the stick-breaking prior, 2 to 50.
  double alpha_shape = 0.25;  // Gamma prior of the concentration alpha (shape, rate).
  double alpha_rate = 0.25;
  int chains = 4;          // Each from its own overdispersed start and its own generator.
  int burn_in = 10000;     // Iterations discarded at the start of each chain.
  int samples = 1000;      // Draws kept per chain.
  int thinning = 100;      // Iterations per kept draw.
  std::uint64_t seed = 1;  // Chain c draws from a generator seeded by (seed, c).
  int threads = 2;         // Chains run in parallel; the result does not depend on this.
  double level = 0.95;     // Credible level of the interval, in (0, 1).
  // Checked every 1,000 iterations of each chain; not owned, may be null.
  const Cancellation* cancellation = nullptr;
};

// One chain's posterior of the total.
struct ChainSummary {
  double median = 0;
  double low = 0;
  double high = 0;
};

struct LatentClassResult {
  std::int64_t observed = 0;
  double median = 0;  // Posterior median of the total N over all chains' draws.
  double mean = 0;
  double low = 0;  // Equal-tailed credible interval at options.level.
  double high = 0;
  // Split R-hat of N (Gelman et al., Bayesian Data Analysis, 3rd ed., 11.4): each chain cut in
  // halves; values near 1 mean the chains sample the same distribution.
  double r_hat = 0;
  // Effective sample size of N over all chains (BDA3 11.5, Geyer's initial monotone sequence).
  double effective_sample_size = 0;
  std::vector<ChainSummary> chains;
  std::vector<std::vector<double>> draws;  // draws[chain][sample]: N, in iteration order.
  // Plain-language warnings: non-convergence (R-hat above 1.1, chains' medians more than 10%
  // apart, fewer than 100 effective draws) and data the model identifies weakly (lists that
  // never overlap, lists that saw fewer than 5 people).
  std::vector<std::string> warnings;
};

// Runs options.chains Gibbs chains of the latent class model on `table` (counts[0] ignored) and
// summarises the posterior of the total. The state is per distinct capture pattern: each
// pattern's people are allocated to classes by one multinomial draw, the unobserved count by a
// negative binomial draw, so the cost does not grow with the number of people. Deterministic
// for a given seed and options, whatever the number of threads. Fails with kInvalidArgument for
// fewer than 2 lists, no observed person, or options out of range (classes outside 2..50,
// non-positive chains, samples or thinning, a negative burn-in, a level outside (0, 1)), and
// with kCancelled when options.cancellation is requested while the chains run.
Result<LatentClassResult> estimate_latent_class(const CaptureTable& table, const LatentClassOptions& options);

// The convergence statistics on any set of chains of one scalar (all chains the same length, at
// least 4 draws each): split R-hat and effective sample size as in LatentClassResult. Fails with
// kInvalidArgument for fewer than 1 chain, unequal lengths or fewer than 4 draws per chain.
struct ConvergenceDiagnostics {
  double r_hat = 0;
  double effective_sample_size = 0;
};
Result<ConvergenceDiagnostics> diagnose_convergence(const std::vector<std::vector<double>>& chains);

}  // namespace rapporteur::mse
