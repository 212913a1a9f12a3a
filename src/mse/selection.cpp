#include "mse/selection.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>

namespace rapporteur::mse {

Result<Estimate> select_and_estimate(CaptureTable table, const SelectionOptions& options, std::string stratum) {
  Estimate e;
  e.stratum = std::move(stratum);
  // A list that saw nobody (in this stratum) is left out, with a warning; a fixed model that
  // names it then fails with a clear message.
  std::vector<std::string> empty;
  table = without_empty_lists(table, &empty);
  for (const auto& list : empty) {
    e.warnings.push_back(
        fmt::format("list {} saw nobody{} and is left out", list, e.stratum.empty() ? "" : " in " + e.stratum));
  }
  if (table.list_count() < 2) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("only {} list(s) saw anyone{}: estimation needs two or more", table.list_count(),
                            e.stratum.empty() ? "" : " in " + e.stratum));
  }
  const Criterion criterion = options.criterion;
  if (!options.model.empty()) {
    ASSIGN_OR_RETURN(const Model model, parse_model(options.model, table.lists));
    ASSIGN_OR_RETURN(FitResult f, fit(table, model));
    if (f.status != FitStatus::kOk) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("model {} is not estimable: {}", options.model, f.message));
    }
    e.search.criterion = criterion;
    e.search.procedure = "fixed model";
    e.search.models.push_back(std::move(f));
    e.search.path.push_back("fixed model " + options.model);
  } else {
    const bool exhaustive = options.search == SearchChoice::kExhaustive ||
                            (options.search == SearchChoice::kAuto && table.list_count() <= 6);
    if (options.search == SearchChoice::kSparse) {
      ASSIGN_OR_RETURN(e.search, sparse_stepwise_search(table, options.pthresh));
    } else if (exhaustive) {
      ASSIGN_OR_RETURN(e.search, exhaustive_search(table, criterion));
    } else {
      ASSIGN_OR_RETURN(e.search, stepwise_search(table, criterion));
    }
  }
  if (!e.search.models.front().infinite_interactions.empty()) {
    e.warnings.push_back(
        "the chosen model has lists that never overlap: their interaction is at minus infinity (extended MLE)");
  }
  e.table = table;
  if (auto profile = profile_interval(e.table, e.search.models.front())) {
    e.profile = *profile;
    if (!profile->high_found) {
      e.warnings.push_back("the upper profile-likelihood bound lies beyond three times the estimate");
    }
  } else {
    e.warnings.push_back("no profile-likelihood interval: " + profile.error().message);
  }
  if (options.bootstrap > 0) {
    // Every replicate redoes the selection that chose the model.
    const std::string procedure = e.search.procedure;
    const Model fixed = e.search.models.front().model;
    const Selection select = [&](const CaptureTable& t) -> Result<FitResult> {
      if (procedure == "fixed model") return fit(t, fixed);
      if (options.search == SearchChoice::kSparse) {
        auto sparse = sparse_stepwise_search(t, options.pthresh);
        if (!sparse) return tl::unexpected(sparse.error());
        return sparse->models.front();
      }
      auto searched = procedure == "exhaustive" ? exhaustive_search(t, criterion, 1) : stepwise_search(t, criterion);
      if (!searched) return tl::unexpected(searched.error());
      return searched->models.front();
    };
    auto bootstrapped = bootstrap(e.table, select, e.search.models.front(),
                                  {.method = options.bootstrap_method,
                                   .replicates = options.bootstrap,
                                   .seed = options.seed,
                                   .threads = static_cast<int>(std::max(2U, std::thread::hardware_concurrency())),
                                   .cancellation = options.cancellation,
                                   .progress = options.bootstrap_progress});
    if (!bootstrapped && bootstrapped.error().code == ErrorCode::kCancelled)
      return tl::unexpected(bootstrapped.error());
    if (bootstrapped) {
      e.bootstrap = std::move(*bootstrapped);
      e.bootstrap_method = options.bootstrap_method == BootstrapMethod::kParametric ? "parametric" : "nonparametric";
      if (e.bootstrap->failed > 0) {
        e.warnings.push_back(fmt::format("{} of {} bootstrap replicates had no estimable model and were left out",
                                         e.bootstrap->failed, options.bootstrap));
      }
    } else {
      e.warnings.push_back("bootstrap failed: " + bootstrapped.error().message);
    }
  }
  if (options.sensitivity == Sensitivity::kSkip) return e;
  // The choice of procedure often moves the estimate more than sampling error does.
  const auto independence = fit(table, {});
  e.sensitivity.emplace_back("independence", independence && independence->status == FitStatus::kOk
                                                 ? std::optional<FitResult>(*independence)
                                                 : std::nullopt);
  // One exhaustive search serves both criteria: only the ranking differs.
  std::optional<SearchResult> exhaustive;
  if (table.list_count() <= 6) {
    if (e.search.procedure == "exhaustive") {
      exhaustive = e.search;
    } else if (auto searched = exhaustive_search(table, criterion)) {
      exhaustive = std::move(*searched);
    }
  }
  for (const auto c : {Criterion::kAic, Criterion::kBic}) {
    const std::string name = c == Criterion::kAic ? "AIC" : "BIC";
    const auto stepwise = stepwise_search(table, c);
    e.sensitivity.emplace_back("stepwise " + name,
                               stepwise ? std::optional<FitResult>(stepwise->models.front()) : std::nullopt);
    if (c == Criterion::kAic) {
      const auto sparse = sparse_stepwise_search(table, options.pthresh);
      e.sensitivity.emplace_back("sparse stepwise",
                                 sparse ? std::optional<FitResult>(sparse->models.front()) : std::nullopt);
    }
    if (exhaustive) {
      e.sensitivity.emplace_back("exhaustive " + name, reranked(*exhaustive, c).models.front());
    }
  }
  return e;
}

}  // namespace rapporteur::mse
