// Fitting with knowledge the caller already has, for the model searches.
#pragma once

#include <vector>

#include <Eigen/Dense>

#include "mse/mse.h"

namespace rapporteur::mse::internal {

// The number of people both lists `a` and `b` saw (whatever other lists saw them).
std::int64_t overlap(const CaptureTable& table, int a, int b);

// A model's design on a table. Pairs that never overlap are fitted at minus infinity
// (extended MLE, Chan, Silverman and Vincent 2021, section 2.6): every cell holding such a
// pair is dropped. Columns: intercept, one per list, one per finite pair; the 0/1 design is
// kept sparse, as the columns each cell activates.
struct Design {
  std::vector<std::pair<int, int>> finite;
  std::vector<std::pair<int, int>> infinite;
  std::vector<std::size_t> cells;        // Capture patterns kept.
  std::vector<std::vector<int>> active;  // Parallel to cells.
  int columns = 0;
};

// Requires a model whose pairs are lists of the table.
Design build_design(const CaptureTable& table, const Model& model);

enum class Existence { kCheck, kKnown };

// As mse::fit; with kKnown the caller guarantees that the maximum-likelihood estimate exists
// (for example because a larger model with the same infinite terms has one), and the linear
// programme is skipped.
Result<FitResult> fit_model(const CaptureTable& table, const Model& model, Existence existence);

struct IrlsFit {
  Eigen::VectorXd beta;
  Eigen::VectorXd mu;
  double deviance = 0;
  int iterations = 0;
};

// Poisson log-linear fit of counts `y` (non-negative, not necessarily whole) where row r of
// the 0/1 design has ones in the columns `active[r]`. Fails with kInternal when it diverges or
// does not converge; callers check existence and rank first.
Result<IrlsFit> fit_poisson(const std::vector<std::vector<int>>& active, const Eigen::VectorXd& y, int columns);

}  // namespace rapporteur::mse::internal
