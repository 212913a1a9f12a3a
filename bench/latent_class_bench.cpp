// Latent-class MSE: speed against an anchor measured in the same run, and a coverage study of
// every estimation method over demo populations with and without unobserved heterogeneity.
//
//   latent_class_bench [--populations N] [--skip-timing] [--skip-coverage] [--skip-consistency]
//
// Timing: 4 chains x 110,000 iterations (10,000 burn-in, 1,000 draws thinned by 100, LCMCR's
// usual run) on published tables, beside the anchor: one chain of the same length of the
// simplest per-person sampler with the standard library's distributions (the design of
// LCMCR's own C++ code, which takes 0.9-1.7 s per chain).
//
// Coverage: N populations (default 200) per setting, generated, linked and tabulated as
// tests/simulation/coverage_test.cpp does (sexual exploitation, one year, seeds 1000...); for
// each method, the share of 95% intervals containing the truth, the share lying below it, the
// mean relative error of the point estimate and the median relative width of the interval.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "demo/demo.h"
#include "mse/checks.h"
#include "mse/latent_class.h"
#include "mse/model_average.h"
#include "mse/mse.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace mse = rapporteur::mse;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double cpu_seconds() { return static_cast<double>(std::clock()) / CLOCKS_PER_SEC; }

std::optional<mse::CaptureTable> read_table(const std::string& name) {
  std::ifstream file(std::string(RAPPORTEUR_SHARED_DATA "/mse/") + name);
  std::stringstream text;
  text << file.rdbuf();
  auto table = mse::parse_capture_table(text.str(), name);
  if (!table) return std::nullopt;
  return std::move(*table);
}

// The anchor: every person, seen or unseen, has their own class; std::mt19937_64 and the
// standard library's gamma and negative binomial distributions. Stick weights on the log
// scale as in our sampler, so both sample the same posterior.
std::vector<double> simple_chain(const mse::CaptureTable& table, int classes, long iterations, std::uint64_t seed) {
  std::vector<std::vector<int>> people;
  for (std::size_t p = 1; p < table.counts.size(); ++p) {
    std::vector<int> history;
    for (int j = 0; j < table.list_count(); ++j) history.push_back(static_cast<int>((p >> j) & 1U));
    for (std::int64_t c = 0; c < table.counts[p]; ++c) people.push_back(history);
  }
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> uniform(0, 1);
  const auto gamma = [&](double shape) { return std::gamma_distribution<double>(shape, 1)(rng); };
  const std::size_t n = people.size();
  const auto lists = static_cast<std::size_t>(table.list_count());
  const auto k_count = static_cast<std::size_t>(classes);
  std::vector<std::vector<double>> lambda(lists, std::vector<double>(k_count));
  for (auto& row : lambda) {
    for (auto& value : row) value = uniform(rng);
  }
  std::vector<double> pi(k_count, 1.0 / classes);
  std::vector<double> weights(k_count);
  double alpha = 1;
  std::vector<double> draws;
  const auto draw_class = [&](const std::vector<int>* person) {
    double total = 0;
    for (std::size_t k = 0; k < k_count; ++k) {
      double w = pi[k];
      for (std::size_t j = 0; j < lists; ++j) w *= (person && (*person)[j]) ? lambda[j][k] : 1 - lambda[j][k];
      weights[k] = w;
      total += w;
    }
    double u = uniform(rng) * total;
    std::size_t k = 0;
    while (k + 1 < k_count && u >= weights[k]) u -= weights[k++];
    return k;
  };
  for (long it = 1; it <= iterations; ++it) {
    std::vector<double> size(k_count, 0);
    std::vector<std::vector<double>> captured(lists, std::vector<double>(k_count, 0));
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t z = draw_class(&people[i]);
      size[z] += 1;
      for (std::size_t j = 0; j < lists; ++j) captured[j][z] += people[i][j];
    }
    double unseen = 0;
    for (std::size_t k = 0; k < k_count; ++k) {
      double w = pi[k];
      for (std::size_t j = 0; j < lists; ++j) w *= 1 - lambda[j][k];
      unseen += w;
    }
    const long missing =
        std::negative_binomial_distribution<long>(static_cast<long>(n), std::max(1 - unseen, 1e-12))(rng);
    for (long i = 0; i < missing; ++i) size[draw_class(nullptr)] += 1;
    for (std::size_t j = 0; j < lists; ++j) {
      for (std::size_t k = 0; k < k_count; ++k) {
        const double x = gamma(1 + captured[j][k]);
        const double y = gamma(1 + size[k] - captured[j][k]);
        lambda[j][k] = x / (x + y);
      }
    }
    double later = 0;
    for (const double s : size) later += s;
    double rest = 1;
    double sum_log = 0;
    for (std::size_t k = 0; k + 1 < k_count; ++k) {
      later -= size[k];
      const double log_x = std::log(gamma(1 + size[k]));
      const double log_y = std::log(gamma(alpha + later + 1)) + std::log(uniform(rng)) / (alpha + later);
      const double log_sum = std::max(log_x, log_y) + std::log1p(std::exp(-std::abs(log_x - log_y)));
      pi[k] = rest * std::exp(log_x - log_sum);
      rest *= std::exp(log_y - log_sum);
      sum_log += log_y - log_sum;
    }
    pi[k_count - 1] = rest;
    alpha = gamma(0.25 + classes - 1) / (0.25 - sum_log);
    if (it > 10000 && (it - 10000) % 100 == 0) draws.push_back(static_cast<double>(static_cast<long>(n) + missing));
  }
  return draws;
}

double median_of(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values.empty() ? NAN : values[values.size() / 2];
}

void run_timing() {
  fmt::print(
      "## Timing: 4 chains x 110,000 iterations on 2 threads; anchor: one chain of 110,000 iterations of "
      "the per-person sampler\n\n");
  fmt::print(
      "| table | n | ours wall s | ours CPU s | median (95% CrI) | R-hat | ESS | anchor 1 chain s | anchor "
      "median | ratio (ours 4 chains / anchor 1 chain) |\n|---|---|---|---|---|---|---|---|---|---|\n");
  // The anchor's cost grows with the number of people: it runs on the small tables only.
  for (const char* name : {"Korea.csv", "Artificial_3.csv", "NewOrl_5.csv", "Western.csv", "Kosovo.csv", "Ned.csv"}) {
    const auto table = read_table(name);
    if (!table) {
      std::fprintf(stderr, "cannot read %s\n", name);
      std::exit(1);
    }
    const double cpu_start = cpu_seconds();
    auto start = Clock::now();
    const auto ours = mse::estimate_latent_class(*table, {.seed = 1});
    const double wall = seconds_since(start);
    const double cpu = cpu_seconds() - cpu_start;
    if (!ours) std::exit(1);
    if (table->observed() > 500) {
      fmt::print("| {} | {} | {:.3f} | {:.3f} | {:.0f} ({:.0f}-{:.0f}) | {:.2f} | {:.0f} | - | - | - |\n", name,
                 table->observed(), wall, cpu, ours->median, ours->low, ours->high, ours->r_hat,
                 ours->effective_sample_size);
      continue;
    }
    start = Clock::now();
    const auto anchor = simple_chain(*table, 10, 110000, 1);
    const double anchor_wall = seconds_since(start);
    fmt::print("| {} | {} | {:.3f} | {:.3f} | {:.0f} ({:.0f}-{:.0f}) | {:.2f} | {:.0f} | {:.2f} | {:.0f} | {:.3f} |\n",
               name, table->observed(), wall, cpu, ours->median, ours->low, ours->high, ours->r_hat,
               ours->effective_sample_size, anchor_wall, median_of(anchor), wall / anchor_wall);
    std::fflush(stdout);
  }
  fmt::print("\n");
}

struct Population {
  double truth = 0;
  mse::CaptureTable table;
};

// As tests/simulation/coverage_test.cpp: one year, one form, perfect linkage by the
// generator's person keys, lists that saw nobody left out.
Population make_population(std::uint64_t seed, double sigma, const std::string& form) {
  using namespace rapporteur;  // NOLINT: the demo's enums.
  const auto world =
      demo::generate_world({.seed = seed, .first_year = 2021, .last_year = 2021, .visibility_sigma = sigma});
  if (!world) std::exit(1);
  Population population;
  for (const auto& cell : world->truth) {
    if (cell.mandate == Mandate::kHumanTrafficking && cell.classification == form) {
      population.truth += static_cast<double>(cell.true_count);
    }
  }
  std::vector<std::string> sources;
  for (const auto& s : world->sources) sources.push_back(s.code);
  std::map<std::string, std::size_t> persons;
  for (const auto& r : world->registrations) {
    if (r.mandate != Mandate::kHumanTrafficking || r.role != Role::kVictim || !r.exploitation_form ||
        to_code(*r.exploitation_form) != form) {
      continue;
    }
    const auto s = static_cast<std::size_t>(std::find(sources.begin(), sources.end(), r.source_code) - sources.begin());
    persons[r.person_key] |= std::size_t{1} << s;
  }
  std::vector<std::size_t> kept;
  for (std::size_t s = 0; s < sources.size(); ++s) {
    bool any = false;
    for (const auto& [key, pattern] : persons) any = any || ((pattern >> s) & 1U);
    if (any) {
      kept.push_back(s);
      population.table.lists.push_back(sources[s]);
    }
  }
  population.table.counts.assign(std::size_t{1} << kept.size(), 0);
  for (const auto& [key, pattern] : persons) {
    std::size_t cell = 0;
    for (std::size_t i = 0; i < kept.size(); ++i) cell |= ((pattern >> kept[i]) & 1U) << i;
    ++population.table.counts[cell];
  }
  return population;
}

struct Interval {
  double estimate = NAN;
  double low = NAN;
  double high = NAN;
};

struct Tally {
  int trials = 0;
  int failed = 0;
  int covered = 0;
  int below = 0;
  double relative_error = 0;
  std::vector<double> widths;
  double seconds = 0;

  void add(const Interval& interval, double truth) {
    if (!std::isfinite(interval.estimate) || !std::isfinite(interval.low) || !std::isfinite(interval.high)) {
      ++failed;
      return;
    }
    ++trials;
    covered += interval.low <= truth && truth <= interval.high ? 1 : 0;
    below += interval.high < truth ? 1 : 0;
    relative_error += (interval.estimate - truth) / truth;
    widths.push_back((interval.high - interval.low) / truth);
  }
};

Interval sparse_stepwise_profile(const mse::CaptureTable& table) {
  const auto search = mse::sparse_stepwise_search(table, 0.02);
  if (!search) return {};
  const auto& best = search->models.front();
  const auto profile = mse::profile_interval(table, best);
  if (!profile) return {};
  return {best.total, profile->low, profile->high};
}

// Every two-list model (exhaustive up to 6 lists, else the stepwise path), averaged by AIC and
// by BIC.
std::pair<Interval, Interval> averaged(const mse::CaptureTable& table) {
  const auto search = table.list_count() <= 6 ? mse::exhaustive_search(table, mse::Criterion::kAic, 2)
                                              : mse::stepwise_search(table, mse::Criterion::kAic);
  if (!search) return {};
  std::pair<Interval, Interval> result;
  if (const auto average = mse::average_models(table, *search, mse::Criterion::kAic)) {
    result.first = {average->total, average->low, average->high};
  }
  if (const auto average = mse::average_models(table, *search, mse::Criterion::kBic)) {
    result.second = {average->total, average->low, average->high};
  }
  return result;
}

Interval latent_class(const mse::CaptureTable& table, std::uint64_t seed, int* unconverged) {
  // Shorter than the default run (2 chains x 25,000 iterations) to keep the study affordable.
  const auto result = mse::estimate_latent_class(
      table, {.chains = 2, .burn_in = 5000, .samples = 1000, .thinning = 20, .seed = seed, .threads = 2});
  if (!result) return {};
  if (result->r_hat > 1.1) ++*unconverged;
  return {result->median, result->low, result->high};
}

void run_coverage(int populations) {
  fmt::print("## Coverage over {} demo populations per setting (sexual exploitation, one year, seeds 1000-{})\n\n",
             populations, 999 + populations);
  fmt::print(
      "| visibility sigma | method | coverage | below | failed | mean relative error | median relative width | "
      "s per population |\n|---|---|---|---|---|---|---|---|\n");
  const std::vector<std::string> methods = {"log-linear sparse stepwise + profile (today)", "model average AIC",
                                            "model average BIC", "latent class (LCMCR)"};
  for (const double sigma : {0.0, 0.7}) {
    std::vector<Tally> tallies(methods.size());
    int unconverged = 0;
    for (int i = 0; i < populations; ++i) {
      const auto seed = 1000 + static_cast<std::uint64_t>(i);
      const Population population = make_population(seed, sigma, "sexual");
      auto start = Clock::now();
      tallies[0].add(sparse_stepwise_profile(population.table), population.truth);
      tallies[0].seconds += seconds_since(start);
      start = Clock::now();
      const auto [by_aic, by_bic] = averaged(population.table);
      tallies[1].add(by_aic, population.truth);
      tallies[2].add(by_bic, population.truth);
      tallies[1].seconds += seconds_since(start);  // One search serves both.
      start = Clock::now();
      tallies[3].add(latent_class(population.table, seed, &unconverged), population.truth);
      tallies[3].seconds += seconds_since(start);
    }
    for (std::size_t m = 0; m < methods.size(); ++m) {
      const Tally& t = tallies[m];
      const double n = std::max(1, t.trials);
      fmt::print("| {:.1f} | {} | {:.1f}% | {:.1f}% | {} | {:+.3f} | {:.3f} | {:.3f} |\n", sigma, methods[m],
                 100.0 * t.covered / n, 100.0 * t.below / n, t.failed, t.relative_error / n, median_of(t.widths),
                 t.seconds / populations);
    }
    fmt::print("| {:.1f} | latent class: R-hat above 1.1 in {} of {} populations | | | | | | |\n", sigma, unconverged,
               populations);
    std::fflush(stdout);
  }
}

// How often the leave-one-list-out check sees the shortfall: for every list that saw at least
// 50 people, the people only it saw against the number predicted from the other lists'
// estimate (sparse stepwise selection); a population is flagged when some list's observed
// count exceeds the prediction by more than 25%. Also reports the median ratio over lists, and
// how often compare_methods warns that the AIC model average and the sparse stepwise choice
// disagree (by more than a factor of 1.2 or 1.5, or with disjoint intervals).
void run_consistency(int populations) {
  fmt::print("\n## Leave-one-list-out check over {} populations per setting\n\n", populations);
  fmt::print(
      "| visibility sigma | populations flagged | median observed / predicted (only on the left-out list) "
      "| AIC average / sparse stepwise above 1.2 | above 1.5 | median ratio |\n|---|---|---|---|---|---|\n");
  const mse::Selection select = [](const mse::CaptureTable& t) -> rapporteur::Result<mse::FitResult> {
    auto search = mse::sparse_stepwise_search(t, 0.02);
    if (!search) return tl::unexpected(search.error());
    return search->models.front();
  };
  for (const double sigma : {0.0, 0.7}) {
    int flagged = 0;
    int apart = 0;
    int far_apart = 0;
    std::vector<double> ratios;
    std::vector<double> method_ratios;
    for (int i = 0; i < populations; ++i) {
      const Population population = make_population(1000 + static_cast<std::uint64_t>(i), sigma, "sexual");
      const auto checks = mse::leave_one_list_out(population.table, select);
      if (!checks) continue;
      bool flag = false;
      for (const auto& check : *checks) {
        if (check.status != "ok" || check.saw < 50 || check.predicted_only_this <= 0) continue;
        const double ratio = static_cast<double>(check.only_this) / check.predicted_only_this;
        ratios.push_back(ratio);
        flag = flag || ratio > 1.25;
      }
      flagged += flag ? 1 : 0;
      // The disagreement warning of compare_methods between the two log-linear answers.
      const Interval stepwise = sparse_stepwise_profile(population.table);
      const Interval average = averaged(population.table).first;
      const std::vector<mse::MethodEstimate> both = {
          {"sparse stepwise", stepwise.estimate, stepwise.low, stepwise.high},
          {"AIC average", average.estimate, average.low, average.high}};
      apart += mse::compare_methods(both, 1.2).empty() ? 0 : 1;
      far_apart += mse::compare_methods(both, 1.5).empty() ? 0 : 1;
      method_ratios.push_back(average.estimate / stepwise.estimate);
    }
    fmt::print("| {:.1f} | {:.1f}% | {:.2f} | {:.1f}% | {:.1f}% | {:.2f} |\n", sigma, 100.0 * flagged / populations,
               median_of(ratios), 100.0 * apart / populations, 100.0 * far_apart / populations,
               median_of(method_ratios));
    std::fflush(stdout);
  }
}

}  // namespace

int main(int argc, char** argv) {
  int populations = 200;
  bool timing = true;
  bool coverage = true;
  bool consistency = true;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--populations" && i + 1 < argc) {
      populations = std::atoi(argv[++i]);
    } else if (argument == "--skip-timing") {
      timing = false;
    } else if (argument == "--skip-coverage") {
      coverage = false;
    } else if (argument == "--skip-consistency") {
      consistency = false;
    } else {
      std::fprintf(stderr,
                   "usage: latent_class_bench [--populations N] [--skip-timing] [--skip-coverage] "
                   "[--skip-consistency]\n");
      return 2;
    }
  }
  if (timing) run_timing();
  if (coverage) run_coverage(populations);
  if (consistency) run_consistency(populations);
  return 0;
}
