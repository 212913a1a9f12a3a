// Choosing and reporting an estimate for one capture table: the model chosen by a fixed model
// or a search, its profile-likelihood interval, an optional bootstrap that repeats the
// selection, the runner-up models, and the sensitivity of the estimate to the procedure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"
#include "mse/mse.h"

namespace rapporteur::mse {

enum class SearchChoice { kAuto, kExhaustive, kStepwise, kSparse };
enum class Sensitivity { kInclude, kSkip };

struct SelectionOptions {
  std::string model;                          // Fixed model terms (e.g. "A*B"); empty: search.
  SearchChoice search = SearchChoice::kAuto;  // kAuto: exhaustive up to six lists, else stepwise.
  Criterion criterion = Criterion::kBic;
  double pthresh = 0.02;  // Sparse stepwise threshold.
  int bootstrap = 0;      // Replicates; 0: none.
  BootstrapMethod bootstrap_method = BootstrapMethod::kNonparametric;
  std::uint64_t seed = 1;
  Sensitivity sensitivity = Sensitivity::kInclude;
  // Passed to the bootstrap (bootstrap_progress gets the share of its replicates done); not
  // owned, may be null.
  const Cancellation* cancellation = nullptr;
  ProgressCallback bootstrap_progress;
};

// The chosen estimate and what it rests on, for one table.
struct Estimate {
  std::string stratum;
  std::optional<ProfileInterval> profile;
  std::optional<BootstrapResult> bootstrap;
  std::string bootstrap_method;  // "nonparametric" or "parametric" when bootstrapped.
  CaptureTable table;            // Without lists that saw nobody.
  SearchResult search;           // models.front() is the chosen one; the rest are runner-ups.
  // The estimate under each other procedure (independence, stepwise AIC/BIC, sparse,
  // exhaustive AIC/BIC); nullopt where that procedure found no estimable model.
  std::vector<std::pair<std::string, std::optional<FitResult>>> sensitivity;
  std::vector<std::string> warnings;
};

// Estimates `table` (the stratum's name is used in messages). Lists that saw nobody are left
// out with a warning. Fails with kInvalidArgument when fewer than two lists saw anyone or the
// fixed model is not estimable, with kCancelled when options.cancellation is requested during
// the bootstrap, and with the search's errors.
Result<Estimate> select_and_estimate(CaptureTable table, const SelectionOptions& options, std::string stratum);

}  // namespace rapporteur::mse
