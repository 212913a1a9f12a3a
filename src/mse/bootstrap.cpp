#include <algorithm>
#include <atomic>
#include <cmath>
#include <optional>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "mse/mse.h"

namespace rapporteur::mse {
namespace {

std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); }

// Inverse of the standard normal distribution: Acklam's rational approximation refined by one
// Halley step (relative error below 1e-15). Written by hand: the stack has no statistics
// library for C++.
double normal_quantile(double p) {
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,  -2.759285104469687e+02,
                                 1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                 6.680131188771972e+01, -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                 -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                 3.754408661907416e+00};
  p = std::clamp(p, 1e-300, 1 - 1e-16);
  double x = 0;
  if (p < 0.02425) {
    const double q = std::sqrt(-2 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - 0.02425) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const double q = std::sqrt(-2 * std::log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const double e = normal_cdf(x) - p;
  const double u = e * std::sqrt(2 * M_PI) * std::exp(x * x / 2);
  return x - u / (1 + x * u / 2);
}

// Quantile of sorted values with linear interpolation (R's default, type 7).
double quantile(const std::vector<double>& sorted, double p) {
  const double h = (static_cast<double>(sorted.size()) - 1) * p;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

}  // namespace

Result<BootstrapResult> bootstrap(const CaptureTable& table, const Selection& select, const FitResult& chosen,
                                  const BootstrapOptions& options) {
  if (chosen.status != FitStatus::kOk || !std::isfinite(chosen.total)) {
    return fail(ErrorCode::kInvalidArgument, "no bootstrap around a model that is not estimable");
  }
  const double estimate = chosen.total;
  const std::vector<double> means = fitted_counts(table, chosen);
  if (options.replicates < 10) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} bootstrap replicates; use at least 10", options.replicates));
  }
  if (options.level != 0.80 && options.level != 0.90 && options.level != 0.95 && options.level != 0.99) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("confidence level {} is not 0.80, 0.90, 0.95 or 0.99", options.level));
  }
  const std::int64_t n = table.observed();
  std::vector<double> cumulative;
  std::vector<std::size_t> patterns;
  double running = 0;
  for (std::size_t p = 1; p < table.counts.size(); ++p) {
    if (table.counts[p] == 0) continue;
    running += static_cast<double>(table.counts[p]) / static_cast<double>(n);
    cumulative.push_back(running);
    patterns.push_back(p);
  }
  cumulative.back() = 1.0;
  std::vector<std::optional<double>> results(static_cast<std::size_t>(options.replicates));
  std::atomic<int> done{0};
  const auto work = [&](int first, int step) {
    for (int r = first; r < options.replicates; r += step) {
      if (cancel_requested(options.cancellation)) return;
      std::mt19937_64 engine(splitmix64(options.seed ^ splitmix64(static_cast<std::uint64_t>(r) + 1)));
      CaptureTable replicate{table.lists, std::vector<std::int64_t>(table.counts.size(), 0)};
      if (options.method == BootstrapMethod::kParametric) {
        for (std::size_t p = 1; p < means.size(); ++p) {
          if (means[p] > 0) replicate.counts[p] = std::poisson_distribution<std::int64_t>(means[p])(engine);
        }
      } else {
        for (std::int64_t i = 0; i < n; ++i) {
          const double u = static_cast<double>(engine() >> 11) * 0x1.0p-53;
          const auto at = std::upper_bound(cumulative.begin(), cumulative.end(), u) - cumulative.begin();
          ++replicate.counts[patterns[static_cast<std::size_t>(
              std::min<std::ptrdiff_t>(at, static_cast<std::ptrdiff_t>(patterns.size()) - 1))]];
        }
      }
      const auto fitted = select(replicate);
      if (fitted && fitted->status == FitStatus::kOk && std::isfinite(fitted->total)) {
        results[static_cast<std::size_t>(r)] = fitted->total;
      }
      const int finished = done.fetch_add(1, std::memory_order_relaxed) + 1;
      // The caller's thread reports, so the callback is never called from two threads at once.
      if (first == 0 && options.progress) options.progress(static_cast<double>(finished) / options.replicates);
    }
  };
  const int workers = std::max(1, options.threads);
  std::vector<std::thread> pool;
  for (int w = 1; w < workers; ++w) pool.emplace_back(work, w, workers);
  work(0, workers);
  for (auto& t : pool) t.join();
  if (cancel_requested(options.cancellation)) {
    return fail(ErrorCode::kCancelled,
                fmt::format("the bootstrap was cancelled after {} of {} replicates", done.load(), options.replicates));
  }

  BootstrapResult result;
  for (const auto& value : results) {
    if (value)
      result.totals.push_back(*value);
    else
      ++result.failed;
  }
  if (result.totals.size() * 2 < results.size()) {
    return fail(ErrorCode::kNotFound, fmt::format("only {} of {} bootstrap replicates gave an estimate",
                                                  result.totals.size(), results.size()));
  }
  std::vector<double> sorted = result.totals;
  std::sort(sorted.begin(), sorted.end());
  const double alpha = (1 - options.level) / 2;
  result.percentile_low = quantile(sorted, alpha);
  result.percentile_high = quantile(sorted, 1 - alpha);

  // Acceleration from the delete-one jackknife over distinct histories (each weighted by its
  // count), and bias correction from the share of replicates below the estimate.
  double weighted_sum = 0;
  std::vector<std::pair<double, double>> jackknife;  // (weight, estimate without one person)
  for (const std::size_t p : patterns) {
    CaptureTable reduced = table;
    --reduced.counts[p];
    const auto fitted = select(reduced);
    if (!fitted || fitted->status != FitStatus::kOk) continue;
    const double weight = static_cast<double>(table.counts[p]);
    jackknife.emplace_back(weight, fitted->total);
    weighted_sum += weight * fitted->total;
  }
  double total_weight = 0;
  for (const auto& [w, v] : jackknife) total_weight += w;
  const double mean = total_weight > 0 ? weighted_sum / total_weight : estimate;
  double numerator = 0;
  double denominator = 0;
  for (const auto& [w, v] : jackknife) {
    numerator += w * std::pow(mean - v, 3);
    denominator += w * std::pow(mean - v, 2);
  }
  result.acceleration = denominator > 0 ? numerator / (6 * std::pow(denominator, 1.5)) : 0.0;
  const double below =
      static_cast<double>(std::count_if(sorted.begin(), sorted.end(), [&](double v) { return v < estimate; }));
  const double share = std::clamp(below / static_cast<double>(sorted.size()), 0.5 / static_cast<double>(sorted.size()),
                                  1 - 0.5 / static_cast<double>(sorted.size()));
  result.bias_correction = normal_quantile(share);
  const auto adjusted = [&](double p) {
    const double z = normal_quantile(p);
    const double z0 = result.bias_correction;
    return normal_cdf(z0 + (z0 + z) / (1 - result.acceleration * (z0 + z)));
  };
  result.bca_low = quantile(sorted, std::clamp(adjusted(alpha), 0.0, 1.0));
  result.bca_high = quantile(sorted, std::clamp(adjusted(1 - alpha), 0.0, 1.0));
  return result;
}

}  // namespace rapporteur::mse
