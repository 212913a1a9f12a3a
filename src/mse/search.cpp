#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <thread>
#include <unordered_map>

#include <fmt/format.h>

#include "mse/internal/fit_internal.h"
#include "mse/mse.h"

namespace rapporteur::mse {
namespace {

std::vector<std::pair<int, int>> all_pairs(int k) {
  std::vector<std::pair<int, int>> pairs;
  for (int a = 0; a < k; ++a) {
    for (int b = a + 1; b < k; ++b) pairs.emplace_back(a, b);
  }
  return pairs;
}

// Estimable models first, then by criterion; ties by fewer parameters, then by the terms, so
// that the order never depends on how the work was split.
void rank_models(std::vector<FitResult>& models, Criterion criterion) {
  std::stable_sort(models.begin(), models.end(), [&](const FitResult& a, const FitResult& b) {
    const bool a_ok = a.status == FitStatus::kOk;
    const bool b_ok = b.status == FitStatus::kOk;
    if (a_ok != b_ok) return a_ok;
    if (!a_ok) return a.model.interactions < b.model.interactions;
    const double va = criterion_value(a, criterion);
    const double vb = criterion_value(b, criterion);
    if (va != vb) return va < vb;
    if (a.parameters != b.parameters) return a.parameters < b.parameters;
    return a.model.interactions < b.model.interactions;
  });
}

const char* name_of(Criterion criterion) { return criterion == Criterion::kAic ? "AIC" : "BIC"; }

}  // namespace

SearchResult reranked(SearchResult search, Criterion criterion) {
  search.criterion = criterion;
  rank_models(search.models, criterion);
  return search;
}

double criterion_value(const FitResult& result, Criterion criterion) {
  return criterion == Criterion::kAic ? result.aic : result.bic;
}

Result<SearchResult> exhaustive_search(const CaptureTable& table, Criterion criterion, int threads) {
  const int k = table.list_count();
  if (k > 6) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("exhaustive search is limited to 6 lists ({} given); use the stepwise search", k));
  }
  const auto pairs = all_pairs(k);
  const std::size_t count = std::size_t{1} << pairs.size();
  const auto model_of = [&](std::size_t mask) {
    Model model;
    for (std::size_t t = 0; t < pairs.size(); ++t) {
      if (mask & (std::size_t{1} << t)) model.interactions.push_back(pairs[t]);
    }
    return model;
  };
  // Existence is inherited downwards (Chan, Silverman and Vincent 2021, section 2.7): if the
  // model with every overlapping pair and a given set of never-overlapping pairs has an MLE,
  // so has every model with the same never-overlapping pairs and fewer overlapping ones. So
  // one linear programme per set of never-overlapping pairs settles most models.
  std::size_t overlapping = 0;
  for (std::size_t t = 0; t < pairs.size(); ++t) {
    if (internal::overlap(table, pairs[t].first, pairs[t].second) > 0) overlapping |= std::size_t{1} << t;
  }
  std::unordered_map<std::size_t, bool> top_exists;
  for (std::size_t mask = 0; mask < count; ++mask) {
    if ((mask & overlapping) != 0) continue;  // One entry per set of never-overlapping pairs.
    ASSIGN_OR_RETURN(const FitResult top, fit(table, model_of(mask | overlapping)));
    top_exists[mask] = top.status != FitStatus::kNoMle;
  }
  std::vector<Result<FitResult>> fits(count);
  const auto work = [&](std::size_t first, std::size_t step) {
    for (std::size_t mask = first; mask < count; mask += step) {
      const bool known = top_exists.at(mask & ~overlapping);
      fits[mask] =
          internal::fit_model(table, model_of(mask), known ? internal::Existence::kKnown : internal::Existence::kCheck);
    }
  };
  const auto workers = static_cast<std::size_t>(std::max(1, threads));
  std::vector<std::thread> pool;
  for (std::size_t w = 1; w < workers; ++w) pool.emplace_back(work, w, workers);
  work(0, workers);
  for (auto& t : pool) t.join();

  SearchResult result;
  result.criterion = criterion;
  result.procedure = "exhaustive";
  for (auto& f : fits) {
    if (!f) return tl::unexpected(f.error());
    if (f->status != FitStatus::kOk) ++result.not_estimable;
    result.models.push_back(std::move(*f));
  }
  rank_models(result.models, criterion);
  if (result.models.empty() || result.models.front().status != FitStatus::kOk) {
    return fail(ErrorCode::kNotFound, "no model is estimable on this table");
  }
  result.path.push_back(fmt::format("fitted all {} hierarchical two-list models; {} not estimable; best by {}: {}",
                                    count, result.not_estimable, name_of(criterion),
                                    describe(result.models.front().model, table.lists)));
  return result;
}

Result<SearchResult> stepwise_search(const CaptureTable& table, Criterion criterion) {
  const auto pairs = all_pairs(table.list_count());
  SearchResult result;
  result.criterion = criterion;
  result.procedure = "stepwise";
  ASSIGN_OR_RETURN(FitResult current, fit(table, {}));
  if (current.status != FitStatus::kOk) {
    return fail(ErrorCode::kNotFound, "the independence model is not estimable: " + current.message);
  }
  result.path.push_back(
      fmt::format("start: independence, {} {:.3f}", name_of(criterion), criterion_value(current, criterion)));
  result.models.push_back(current);
  for (;;) {
    std::optional<FitResult> best;
    std::string step;
    for (const auto& pair : pairs) {
      Model candidate = current.model;
      const auto it = std::find(candidate.interactions.begin(), candidate.interactions.end(), pair);
      const bool removing = it != candidate.interactions.end();
      if (removing)
        candidate.interactions.erase(it);
      else
        candidate.interactions.push_back(pair);
      std::sort(candidate.interactions.begin(), candidate.interactions.end());
      ASSIGN_OR_RETURN(FitResult f, fit(table, candidate));
      if (f.status != FitStatus::kOk) {
        ++result.not_estimable;
        result.models.push_back(std::move(f));
        continue;
      }
      const bool better = !best || criterion_value(f, criterion) < criterion_value(*best, criterion);
      if (better) {
        step = fmt::format("{} {}:{}", removing ? "remove" : "add", table.lists[pair.first], table.lists[pair.second]);
        best = f;
      }
      result.models.push_back(std::move(f));
    }
    if (!best || criterion_value(*best, criterion) >= criterion_value(current, criterion)) break;
    current = *best;
    result.path.push_back(fmt::format("{}: {} {:.3f}", step, name_of(criterion), criterion_value(current, criterion)));
  }
  // Keep each model once (the search revisits neighbours), then rank them.
  std::sort(result.models.begin(), result.models.end(),
            [](const FitResult& a, const FitResult& b) { return a.model.interactions < b.model.interactions; });
  result.models.erase(std::unique(result.models.begin(), result.models.end(),
                                  [](const FitResult& a, const FitResult& b) { return a.model == b.model; }),
                      result.models.end());
  rank_models(result.models, criterion);
  // The chosen model is where the search stopped, which a wider ranking may not put first.
  const auto chosen = std::find_if(result.models.begin(), result.models.end(),
                                   [&](const FitResult& f) { return f.model == current.model; });
  std::rotate(result.models.begin(), chosen, chosen + 1);
  result.path.push_back(fmt::format("stop: {}", describe(current.model, table.lists)));
  return result;
}

namespace {

// P(X <= k) for X ~ Poisson(lambda), summed in log space; 0 for k < 0.
double poisson_cdf(std::int64_t k, double lambda) {
  if (k < 0) return 0.0;
  if (lambda <= 0) return 1.0;
  double sum = 0;
  for (std::int64_t i = 0; i <= k; ++i) {
    sum += std::exp(static_cast<double>(i) * std::log(lambda) - lambda - std::lgamma(static_cast<double>(i) + 1));
  }
  return std::min(sum, 1.0);
}

}  // namespace

Result<SearchResult> sparse_stepwise_search(const CaptureTable& table, double threshold) {
  const auto pairs = all_pairs(table.list_count());
  SearchResult result;
  result.criterion = Criterion::kAic;
  result.procedure = fmt::format("sparse stepwise (Chan, Silverman and Vincent 2021; p < {})", threshold);
  ASSIGN_OR_RETURN(FitResult current, fit(table, {}));
  if (current.status != FitStatus::kOk) {
    return fail(ErrorCode::kNotFound, "the main-effects model is not estimable: " + current.message);
  }
  result.path.push_back("start: main effects");
  std::vector<std::int64_t> overlap(pairs.size(), 0);
  for (std::size_t t = 0; t < pairs.size(); ++t) overlap[t] = internal::overlap(table, pairs[t].first, pairs[t].second);
  std::vector<bool> included(pairs.size(), false);
  for (;;) {
    // Fitted means of the cells the current model keeps (those of its infinite pairs are 0).
    const std::vector<double> fitted_mean = fitted_counts(table, current);
    double best_p = 1.0;
    std::optional<std::size_t> best;
    std::optional<FitResult> best_fit;
    for (std::size_t t = 0; t < pairs.size(); ++t) {
      if (included[t]) continue;
      const std::size_t both = (std::size_t{1} << pairs[t].first) | (std::size_t{1} << pairs[t].second);
      double expected = 0;
      for (std::size_t p = 1; p < table.counts.size(); ++p) expected += (p & both) == both ? fitted_mean[p] : 0.0;
      const double p_value = std::min(poisson_cdf(overlap[t], expected), 1 - poisson_cdf(overlap[t] - 1, expected));
      if (p_value >= best_p) continue;
      Model candidate = current.model;
      candidate.interactions.push_back(pairs[t]);
      std::sort(candidate.interactions.begin(), candidate.interactions.end());
      ASSIGN_OR_RETURN(FitResult f, fit(table, candidate));
      if (f.status != FitStatus::kOk) {
        ++result.not_estimable;
        continue;
      }
      best_p = p_value;
      best = t;
      best_fit = std::move(f);
    }
    if (!best || best_p >= threshold) {
      result.path.push_back(fmt::format("stop: no estimable interaction with p < {}", threshold));
      break;
    }
    included[*best] = true;
    result.path.push_back(fmt::format("add {}:{} (p = {:.3g})", table.lists[pairs[*best].first],
                                      table.lists[pairs[*best].second], best_p));
    result.models.push_back(current);
    current = std::move(*best_fit);
  }
  result.models.insert(result.models.begin(), current);
  return result;
}

}  // namespace rapporteur::mse
