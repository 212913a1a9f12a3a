// Fitting with knowledge the caller already has, for the model searches.
#pragma once

#include <vector>

#include <Eigen/Dense>

#include "mse/mse.h"

namespace rapporteur::mse::internal {

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
