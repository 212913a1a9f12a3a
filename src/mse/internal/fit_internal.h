// Fitting with knowledge the caller already has, for the model searches.
#pragma once

#include "mse/mse.h"

namespace rapporteur::mse::internal {

enum class Existence { kCheck, kKnown };

// As mse::fit; with kKnown the caller guarantees that the maximum-likelihood estimate exists
// (for example because a larger model with the same infinite terms has one), and the linear
// programme is skipped.
Result<FitResult> fit_model(const CaptureTable& table, const Model& model, Existence existence);

}  // namespace rapporteur::mse::internal
