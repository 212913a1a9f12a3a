#include "mse/model_average.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

namespace rapporteur::mse {
namespace {

constexpr double kZ975 = 1.959963984540054;  // The quantile FitResult's log-normal interval uses.

struct LogNormal {
  double location = 0;  // log of the unobserved count.
  double scale = 0;     // Its standard error.
  double weight = 0;
};

double mixture_cdf(const std::vector<LogNormal>& parts, double observed, double total) {
  if (total <= observed) return 0;
  const double log_unobserved = std::log(total - observed);
  double cdf = 0;
  for (const auto& part : parts) {
    cdf += part.weight * (part.scale > 0
                              ? 0.5 * std::erfc(-(log_unobserved - part.location) / (part.scale * std::sqrt(2.0)))
                              : (log_unobserved >= part.location ? 1.0 : 0.0));
  }
  return cdf;
}

// The total where the mixture's distribution function reaches `probability`, by bisection on
// the log of the unobserved count.
double mixture_quantile(const std::vector<LogNormal>& parts, double observed, double probability) {
  double lo = std::numeric_limits<double>::max();
  double hi = std::numeric_limits<double>::lowest();
  for (const auto& part : parts) {
    lo = std::min(lo, part.location - 10 * part.scale - 1);
    hi = std::max(hi, part.location + 10 * part.scale + 1);
  }
  for (int i = 0; i < 200 && hi - lo > 1e-12; ++i) {
    const double mid = 0.5 * (lo + hi);
    (mixture_cdf(parts, observed, observed + std::exp(mid)) < probability ? lo : hi) = mid;
  }
  return observed + std::exp(0.5 * (lo + hi));
}

}  // namespace

Result<ModelAverage> average_models(const CaptureTable& table, const SearchResult& search, Criterion criterion,
                                    double level) {
  if (!(level > 0 && level < 1)) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("interval level {} is outside (0, 1)", level));
  }
  std::vector<const FitResult*> usable;
  for (const auto& fitted : search.models) {
    if (fitted.status == FitStatus::kOk && std::isfinite(criterion_value(fitted, criterion))) usable.push_back(&fitted);
  }
  if (usable.empty()) return fail(ErrorCode::kNotFound, "no model of the search is estimable; nothing to average");
  double best = std::numeric_limits<double>::infinity();
  for (const auto* fitted : usable) best = std::min(best, criterion_value(*fitted, criterion));
  ModelAverage average;
  average.criterion = criterion;
  double sum = 0;
  for (const auto* fitted : usable) {
    const double value = criterion_value(*fitted, criterion);
    const double weight = std::exp(-(value - best) / 2);
    sum += weight;
    average.models.push_back({fitted->model, value, weight, fitted->total});
  }
  const auto observed = static_cast<double>(table.observed());
  std::vector<LogNormal> parts;
  for (std::size_t i = 0; i < usable.size(); ++i) {
    auto& weighted = average.models[i];
    weighted.weight /= sum;
    average.total += weighted.weight * weighted.total;
    average.effective_models += weighted.weight >= 0.01 ? 1 : 0;
    const FitResult& fitted = *usable[i];
    // Recover b0 and se(b0) from the fit's log-normal interval n + exp(b0 -/+ z se).
    const double scale = (std::log(fitted.ci_high - observed) - std::log(fitted.ci_low - observed)) / (2 * kZ975);
    parts.push_back({std::log(fitted.unobserved), std::isfinite(scale) ? scale : 0.0, weighted.weight});
  }
  std::sort(average.models.begin(), average.models.end(),
            [](const WeightedModel& a, const WeightedModel& b) { return a.weight > b.weight; });
  const double tail = (1 - level) / 2;
  average.low = mixture_quantile(parts, observed, tail);
  average.high = mixture_quantile(parts, observed, 1 - tail);
  return average;
}

Selection top_models_selection(const SearchResult& search, Criterion criterion, int count) {
  std::vector<const FitResult*> ranked;
  for (const auto& fitted : search.models) {
    if (fitted.status == FitStatus::kOk) ranked.push_back(&fitted);
  }
  std::stable_sort(ranked.begin(), ranked.end(), [criterion](const FitResult* a, const FitResult* b) {
    return criterion_value(*a, criterion) < criterion_value(*b, criterion);
  });
  std::vector<Model> candidates;
  for (std::size_t i = 0; i < ranked.size() && static_cast<int>(i) < count; ++i) candidates.push_back(ranked[i]->model);
  return [candidates, criterion](const CaptureTable& replicate) -> Result<FitResult> {
    std::optional<FitResult> best;
    for (const auto& model : candidates) {
      auto fitted = fit(replicate, model);
      if (!fitted || fitted->status != FitStatus::kOk) continue;
      if (!best || criterion_value(*fitted, criterion) < criterion_value(*best, criterion)) best = std::move(*fitted);
    }
    if (!best) return fail(ErrorCode::kNotFound, "none of the top models is estimable on this replicate");
    return *std::move(best);
  };
}

}  // namespace rapporteur::mse
