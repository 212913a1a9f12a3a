// Averaging over log-linear models instead of choosing one, and the model-subset bootstrap:
// two ways to carry the uncertainty of the model choice into the interval. Pure computation.
#pragma once

#include <vector>

#include "core/result.h"
#include "mse/mse.h"

namespace rapporteur::mse {

struct WeightedModel {
  Model model;
  double criterion = 0;  // AIC or BIC of the fit.
  double weight = 0;     // exp(-delta / 2), normalised over the estimable models.
  double total = 0;
};

struct ModelAverage {
  Criterion criterion = Criterion::kAic;
  double total = 0;  // Sum of weight x total over the models.
  // Equal-tailed interval of the mixture of the models' log-normal distributions of the total
  // (each n + exp(Normal(b0, se(b0))), the distribution behind FitResult::ci_low/ci_high),
  // mixed by the weights: a model-averaged tail-area interval.
  double low = 0;
  double high = 0;
  std::vector<WeightedModel> models;  // Estimable models, heaviest first.
  int effective_models = 0;           // Models with weight at least 0.01.
};

// Information-criterion weights (Akaike weights; Burnham and Anderson 2002, section 2.9; with
// BIC, approximate posterior model probabilities under equal prior odds) over the estimable
// models of `search` (a search over `table`), the averaged total and the mixture interval at
// `level`. Fails with kInvalidArgument when `level` is outside (0, 1) and kNotFound when no
// model of `search` is estimable.
Result<ModelAverage> average_models(const CaptureTable& table, const SearchResult& search, Criterion criterion,
                                    double level = 0.95);

// The model-subset bootstrap of Silverman, Chan and Vincent (2024, Statistics and Computing
// 34:44, section 3): each replicate chooses among only the `count` best estimable models of
// `search` (by `criterion` on the original table) instead of searching afresh, which keeps
// exhaustive-search bootstraps affordable. The returned Selection refits those models on a
// replicate and returns the best estimable one by `criterion`, or kNotFound when none is.
// It copies what it needs from `search` and may be called from several threads at once.
Selection top_models_selection(const SearchResult& search, Criterion criterion, int count);

}  // namespace rapporteur::mse
