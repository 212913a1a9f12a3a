// Multiple systems estimation: Poisson log-linear models on the overlaps of K registration
// lists, estimating the number of people no list saw. Pure computation on plain data.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/cancel.h"
#include "core/result.h"

namespace rapporteur::mse {

inline constexpr int kMaxLists = 10;

// Counts per capture pattern. Pattern p has bit i set when list i saw the person; counts[0]
// (nobody saw them) is what is estimated and always 0 here.
struct CaptureTable {
  std::vector<std::string> lists;
  std::vector<std::int64_t> counts;  // Size 2^K.

  int list_count() const { return static_cast<int>(lists.size()); }
  std::int64_t observed() const;
};

// Reads a capture-history CSV: one 0/1 column per list, a `count` column, and optionally other
// (covariate) columns, over which counts are summed. A column is a list when every value in it
// is 0 or 1 and it is not named `count`; `list_names`, when given, names the lists instead.
// Repeated patterns add up. Fails with kInvalidArgument naming the row and column of a bad
// value, a negative or non-integer count, fewer than 2 or more than kMaxLists lists.
Result<CaptureTable> parse_capture_table(std::string_view csv, std::string_view file_name,
                                         const std::vector<std::string>& list_names = {});

// The table without the lists that saw nobody (their names appended to `dropped` when given):
// an empty list carries no information on the others and has no finite main effect.
CaptureTable without_empty_lists(const CaptureTable& table, std::vector<std::string>* dropped = nullptr);

// A hierarchical log-linear model with main effects for every list plus the listed two-list
// interactions (i < j, list indices).
struct Model {
  std::vector<std::pair<int, int>> interactions;

  friend bool operator==(const Model&, const Model&) = default;
};

// "independence" (or "") for main effects only, else comma-separated pairs of list names such
// as "A:B,C:D". Fails with kInvalidArgument naming an unknown list or a malformed term.
Result<Model> parse_model(std::string_view terms, const std::vector<std::string>& lists);
// The inverse of parse_model: "independence" or "A:B,C:D" in list order.
std::string describe(const Model& model, const std::vector<std::string>& lists);

enum class FitStatus {
  kOk,
  kNoMle,            // The data lie on the boundary of the model's marginal cone.
  kNotIdentifiable,  // The design on the cells left has deficient rank.
};

struct FitResult {
  Model model;
  FitStatus status = FitStatus::kOk;
  std::string message;  // Why the model is not estimable, in words.
  std::vector<std::string> coefficient_names;
  std::vector<double> coefficients;  // Intercept, main effects, interactions kept.
  // Interactions of pairs that never overlap: fitted at minus infinity (extended MLE), their
  // cells dropped; they still count as parameters.
  std::vector<std::pair<int, int>> infinite_interactions;
  int parameters = 0;
  double log_likelihood = 0;  // Poisson, over the cells fitted.
  double deviance = 0;
  double aic = 0;
  double bic = 0;  // log of the number of observed people, as Rcapture.
  double unobserved = 0;
  double total = 0;
  // 95% interval for the total from a log-normal unobserved count: n + exp(b0 -/+ 1.96 se(b0)),
  // b0 the intercept (as SparseMSE's estimatepopulation.0).
  double ci_low = 0;
  double ci_high = 0;
  int iterations = 0;
};

// A multinomial profile-likelihood interval for the total (Cormack 1992), computed as
// Rcapture's closedpCI.t does: the model refitted with the unobserved cell set to N - n, the
// Cormack correction term (Stirling's approximation above 100), the maximum searched in
// (n, 3 N^) and the bounds where the log-likelihood drops by the chi-square quantile over 2.
struct ProfileInterval {
  double estimate = 0;  // Maximiser of the multinomial profile likelihood.
  double low = 0;       // n when no lower root exists (as Rcapture).
  double high = 0;
  bool high_found = true;  // False: the upper bound lies beyond 3 N^ ("> high").
};

// Fails with kInvalidArgument when `fitted` is not estimable or `level` is not one of 0.80,
// 0.90, 0.95 or 0.99, and with kInternal when a refit does not converge.
Result<ProfileInterval> profile_interval(const CaptureTable& table, const FitResult& fitted, double level = 0.95);

enum class Criterion { kAic, kBic };

// A model search: every model fitted (estimable ones first, best first), the chosen one, and
// the steps that led to it.
struct SearchResult {
  Criterion criterion = Criterion::kBic;
  std::string procedure;  // "exhaustive" or "stepwise".
  std::vector<FitResult> models;
  std::vector<std::string> path;  // Human-readable steps of the search.
  std::int64_t not_estimable = 0;
};

// The criterion's value of a fit.
double criterion_value(const FitResult& result, Criterion criterion);

// Fits every hierarchical model with main effects and any set of two-list interactions
// (2^(K(K-1)/2) models: 32,768 at K = 6) on `threads` threads; the result does not depend on
// the number of threads. Fails with kInvalidArgument above 6 lists and kNotFound when no model
// is estimable.
Result<SearchResult> exhaustive_search(const CaptureTable& table, Criterion criterion, int threads = 2);

// The sparse-data stepwise search of Chan, Silverman and Vincent (2021, JASA), as SparseMSE's
// stepwisefit: from main effects, add the two-list interaction whose observed overlap is
// least compatible with the current fit (Poisson p-value, the smaller tail of the observed
// overlap count against its fitted mean), provided that model is estimable, while that
// p-value is below `threshold` (0.02 in the paper). Fails with kNotFound when the main-effects
// model is not estimable.
Result<SearchResult> sparse_stepwise_search(const CaptureTable& table, double threshold = 0.02);

// The same fits ranked by another criterion (exhaustive searches need not be refitted).
SearchResult reranked(SearchResult search, Criterion criterion);

// Bidirectional stepwise search from the independence model: at each step the single
// interaction added or removed that lowers the criterion most, until none does. Works for
// any K up to kMaxLists. Fails with kNotFound when the independence model is not estimable.
Result<SearchResult> stepwise_search(const CaptureTable& table, Criterion criterion);

// Fits `model` by Newton-Raphson (IRLS) with step halving. Checks first that the model is
// estimable: the rank of the design on the cells left, and, when cells are zero, by linear
// programming (GLPK) whether a strictly positive table shares the sufficient statistics
// (the criterion of SparseMSE's checkident). A model that is not estimable is returned with
// its status and message, never with a huge number. Fails with kInvalidArgument for a model
// naming a list the table lacks or a table with fewer than 2 lists, and with kInternal if the
// iteration does not converge.
Result<FitResult> fit(const CaptureTable& table, const Model& model);

// Capture tables of several strata (exploitation forms, age groups, years) over the same lists,
// for one model across them all.
struct StratifiedTable {
  std::vector<std::string> lists;
  std::vector<std::string> strata;
  std::vector<std::vector<std::int64_t>> counts;  // counts[s][pattern], each of size 2^K.

  std::int64_t observed() const;
};

// Groups `by`'s values into a stratified table: rows of a capture-history CSV with a stratum
// column, as parse_capture_table reads them (other columns are summed over). Fails as
// parse_capture_table does, and with kInvalidArgument when the column `by` is missing.
Result<StratifiedTable> parse_stratified_table(std::string_view csv, std::string_view file_name, const std::string& by);

// One log-linear model over all strata: a main effect per stratum (its own unobserved count),
// main effects per list, stratum-by-list interactions for `stratum_lists` (the list's chance
// differs by stratum: heterogeneity the strata explain), and two-list interactions shared by
// all strata. Stratum 0 is the reference level.
struct StratifiedModel {
  Model pairs;
  std::vector<int> stratum_lists;
};

struct StratifiedFit {
  FitStatus status = FitStatus::kOk;
  std::string message;
  std::vector<std::string> coefficient_names;
  std::vector<double> coefficients;  // Intercept, strata 1.., lists, stratum x list, pairs.
  std::vector<std::pair<int, int>> infinite_interactions;
  int parameters = 0;
  double deviance = 0;
  double aic = 0;
  double bic = 0;
  std::vector<double> unobserved;  // Per stratum.
  double total = 0;
  // Log-normal interval for the total: the variance of the summed unobserved counts by the
  // delta method from the inverse Fisher information.
  double ci_low = 0;
  double ci_high = 0;
};

// Fits `model` on all strata at once, with the same existence and rank checks as fit().
// Fails with kInvalidArgument for an empty table, fewer than 2 lists or a model naming a list
// the table lacks, and with kInternal if the iteration does not converge.
Result<StratifiedFit> fit_stratified(const StratifiedTable& table, const StratifiedModel& model);

// How a bootstrap replicate chooses its model: the whole selection is redone per replicate,
// so the interval carries the uncertainty of the model choice (Chan, Silverman and Vincent
// 2021, section 3.3).
using Selection = std::function<Result<FitResult>(const CaptureTable&)>;

// Nonparametric: resample the observed people. Parametric: draw every observable cell from a
// Poisson distribution with the chosen model's fitted mean (the model is assumed true; the
// interval then carries sampling and model-choice uncertainty, not misspecification).
enum class BootstrapMethod { kNonparametric, kParametric };

struct BootstrapOptions {
  BootstrapMethod method = BootstrapMethod::kNonparametric;
  int replicates = 1000;
  std::uint64_t seed = 1;
  int threads = 2;
  double level = 0.95;  // 0.80, 0.90, 0.95 or 0.99.
  // Checked before each replicate; not owned, may be null. When requested, bootstrap fails
  // with kCancelled within one replicate per thread.
  const Cancellation* cancellation = nullptr;
  ProgressCallback progress;  // The share of replicates done, from the calling thread.
};

struct BootstrapResult {
  std::vector<double> totals;  // Successful replicates, in replicate order.
  int failed = 0;              // Replicates with no estimable model (e.g. an emptied list).
  double percentile_low = 0;
  double percentile_high = 0;
  double bca_low = 0;  // Bias-corrected and accelerated (Efron 1987), jackknife over histories.
  double bca_high = 0;
  double bias_correction = 0;  // z0.
  double acceleration = 0;     // a.
};

// Bootstrap around `chosen`, the fit `select` gives on `table`: each replicate is a table drawn
// as options.method says, to which `select` is applied afresh. Replicate r draws from its own
// generator seeded by (seed, r), so the result depends on the seed, never on the number of
// threads. Fails with kInvalidArgument for fewer than 10 replicates, a bad level or a `chosen`
// that is not estimable, with kNotFound when fewer than half of the replicates give an
// estimate, and with kCancelled when options.cancellation is requested.
Result<BootstrapResult> bootstrap(const CaptureTable& table, const Selection& select, const FitResult& chosen,
                                  const BootstrapOptions& options);

// The fitted mean of every cell under `fitted` (a model fitted to `table`): index 0 is the
// unobserved cell; cells of pairs that never overlap (extended MLE) are 0.
std::vector<double> fitted_counts(const CaptureTable& table, const FitResult& fitted);

}  // namespace rapporteur::mse
