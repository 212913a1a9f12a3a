// The platform's default estimate, as bench/latent_class_bench's coverage study recommends
// (docs/estimation.md): the AIC model average, with today's sparse stepwise choice and the
// latent class posterior beside it, and every warning that applies. Pure computation.
#pragma once

#include <string>
#include <vector>

#include "core/result.h"
#include "mse/checks.h"
#include "mse/latent_class.h"
#include "mse/model_average.h"
#include "mse/mse.h"

namespace rapporteur::mse {

enum class LatentClassRun { kRun, kSkip };

struct RecommendedOptions {
  LatentClassRun latent_class_run = LatentClassRun::kRun;
  LatentClassOptions latent_class;  // Its defaults: 4 chains x 110,000 iterations.
  double sparse_threshold = 0.02;   // Of the sparse stepwise search.
  // The AIC average and the stepwise choice further apart than this (or with disjoint
  // intervals) suggest hidden heterogeneity: 56.5% of demo populations with it, 12% without.
  double heterogeneity_factor = 1.2;
  double disagreement_factor = 1.5;  // Between any two of the methods.
  int threads = 2;
  // An exhaustive search of the same table (lists that saw nobody left out), ranked by any
  // criterion: reused instead of searching again (a caller that chose a model by exhaustive
  // search has one). Not owned; null: search.
  const SearchResult* exhaustive = nullptr;
};

struct RecommendedEstimate {
  // "AIC model average" over every two-list model (exhaustive up to 6 lists; beyond, over the
  // models a stepwise AIC search visited), with its mixture interval.
  MethodEstimate primary;
  ModelAverage average;
  // "sparse stepwise (profile)": Chan, Silverman and Vincent's choice with its profile
  // interval; "latent class (median, credible)" unless skipped. Methods that failed are absent
  // and named in the warnings.
  std::vector<MethodEstimate> alternatives;
  std::vector<LatentClassResult> latent_class;  // Empty or one: the full posterior summary.
  std::vector<std::string> warnings;
};

// Runs the three methods on `table` and gathers data_warnings, the latent class sampler's own
// warnings, compare_methods at both factors, and, when the heterogeneity signal fires, a
// plain statement that every interval may be too low. Fails with kInvalidArgument for fewer
// than 2 lists or options out of range, and kNotFound when no log-linear model is estimable.
Result<RecommendedEstimate> estimate_recommended(const CaptureTable& table, const RecommendedOptions& options);

}  // namespace rapporteur::mse
