// The estimate use case: capture histories of one year (linked from the store) or a capture
// table from a file, split into strata, each estimated by mse::select_and_estimate (or one
// joint model over the strata), with rates per 100,000 inhabitants where the population is
// known; rendered as text, JSON or CSV by the faces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/linkage.h"
#include "core/cancel.h"
#include "core/result.h"
#include "linkage/linkage.h"
#include "mse/recommended.h"
#include "mse/selection.h"
#include "store/store.h"

namespace rapporteur::app {

enum class Joint { kSeparate, kOneModel };

// Whether the estimate also reports how much it moves with the linkage (LinkageSpread).
enum class LinkageSpreadRun { kSkip, kThresholds };

// The thresholds the linkage spread re-links at, beside person_link_options()'s (0.5, 0.6):
// stricter (fewer, surer links: more persons) and looser (more links: fewer persons).
inline constexpr LinkThresholds kStricterLinkage{.match = 0.9, .cluster_support = 0.9};
inline constexpr LinkThresholds kLooserLinkage{.match = 0.1, .cluster_support = 0.3};

struct EstimateRequest {
  std::string table_file;  // A capture table (CSV); empty: link `year` from the store.
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  std::string by;  // "form,sex,age,region" or a subset; with a file, one covariate column.
  mse::SelectionOptions selection;
  Joint joint = Joint::kSeparate;
  // The platform's recommended estimate (the AIC model average, as the coverage study in
  // docs/estimation.md recommends) beside the selected model; the latent class model runs only
  // when asked (it covered the demo's hidden heterogeneity worst).
  mse::LatentClassRun latent_class = mse::LatentClassRun::kSkip;
  std::string stratum_lists = "all";  // Joint model: lists whose chance varies by stratum.
  // How the year's registrations are linked into persons (app/linkage.h).
  LinkageMethod linkage = LinkageMethod::kProbabilistic;
  // Probabilistic linkage from the store: re-link at kStricterLinkage and kLooserLinkage and
  // estimate on each (EstimateReport::linkage_spread).
  LinkageSpreadRun linkage_spread = LinkageSpreadRun::kThresholds;
  // Checked between strata and inside the bootstrap and the latent class sampler; not owned,
  // may be null. `progress` gets the share of the work done (strata, and bootstrap replicates
  // within a stratum), from the calling thread.
  const Cancellation* cancellation = nullptr;
  ProgressCallback progress;
};

// The point estimate on one linkage of the year.
struct LinkageVariant {
  LinkThresholds thresholds;
  std::int64_t persons = 0;  // Persons that linkage finds.
  // The selected model's total per stratum (parallel to EstimateReport::strata, empty where
  // not estimable or absent), and over all: their sum, or the joint model's total.
  std::vector<std::optional<double>> strata;
  double total = 0;
};

// How far the point estimate moves when the year is linked more strictly or more loosely: the
// range of the point estimates over the linkages (the one used included). Uncertainty the
// model's interval does not hold; reported beside it, not combined with it.
struct LinkageSpread {
  std::vector<LinkageVariant> variants;  // Stricter, as used, looser.
  double low = 0;                        // Of the totals.
  double high = 0;
  // Per stratum (parallel to EstimateReport::strata); empty where no linkage estimates it.
  std::vector<std::optional<std::pair<double, double>>> strata;
};

struct StratumEstimate {
  std::string stratum;
  std::optional<mse::Estimate> estimate;                // Empty when not estimable.
  std::string error;                                    // Why not, when not estimable.
  std::optional<std::int64_t> population;               // Of the stratum's region (or the country).
  std::optional<mse::RecommendedEstimate> recommended;  // Empty when not estimable.
  std::string recommended_error;
};

struct JointEstimate {
  std::string terms;
  std::vector<std::string> varying_lists;
  mse::StratifiedTable table;
  mse::StratifiedFit fit;
  std::optional<std::int64_t> population;
};

// A loaded extract the estimate rests on.
struct BatchUsed {
  std::int64_t id = 0;
  std::string source;
  std::string file_sha256;
  std::int64_t rows_loaded = 0;
  std::string loaded_at;
};

// What an estimate rests on, for its record when published.
struct EstimateProvenance {
  std::string table_file;          // Base name of the capture table file; empty from the store.
  std::string table_file_sha256;   // Of its bytes.
  std::vector<BatchUsed> batches;  // Active batches of the year's sources that registered someone.
  std::string linkage_method;      // "deterministic" or "probabilistic" as run; empty for a file.
  std::string linkage_note;        // Why it differs from the one asked for.
  std::int64_t registrations = 0;
  std::int64_t persons = 0;
  // Probabilistic linkage only: its thresholds and seed (linkage::person_link_options) and
  // how its EM ended.
  double match_threshold = 0;
  double cluster_support = 0;
  double duplicate_threshold = 0;
  std::uint64_t linkage_seed = 0;
  int em_iterations = 0;
  bool em_converged = false;
  std::int64_t links = 0;
};

struct EstimateReport {
  EstimateRequest request;
  std::vector<StratumEstimate> strata;     // Separate models: one per stratum ("" for all).
  std::optional<JointEstimate> joint;      // One model over the strata.
  std::optional<std::int64_t> population;  // Of the country, for the year.
  double total_of_strata = 0;              // Sum of the estimable strata's estimates.
  double recommended_total_of_strata = 0;  // Sum of the strata's recommended estimates.
  // When asked and the year was linked probabilistically from the store.
  std::optional<LinkageSpread> linkage_spread;
  // With several strata, the table of all of them together estimated on its own (not the sum
  // of the strata: its interval is the national one); stratum name "".
  std::optional<StratumEstimate> national;
  EstimateProvenance provenance;
};

// Runs the estimate. `store` may be null when `request.table_file` is given. Fails with kIo
// for an unreadable file, kNotFound when the year has no registrations, kInvalidArgument for
// fewer than two sources or bad options, and with the estimation's error when there is a
// single stratum and it is not estimable (with several, that stratum's error is reported),
// and with kCancelled when request.cancellation is requested.
// The linkage spread re-links the year twice and selects a model on each linkage (without
// bootstrap or sensitivity fits); a linkage on which nothing is estimable is left out of it.
Result<EstimateReport> estimate(store::Store* store, const EstimateRequest& request);

// The report as the CLI prints it; as JSON (one object for a single stratum, else
// {"strata": [...], "total_of_strata": N}; each with "recommended"; the joint model as one
// object; "linkage_spread" {low, high, variants: [{match_threshold, cluster_support, persons,
// total}]} beside the total, and per stratum {low, high}); as CSV (stratum, terms, observed,
// unobserved, total, ci_low, ci_high, aic, bic, recommended_total, recommended_low,
// recommended_high, linkage_low, linkage_high; fields quoted as RFC 4180).
std::string to_text(const EstimateReport& report);
std::string to_json(const EstimateReport& report);
std::string to_csv(const EstimateReport& report);

}  // namespace rapporteur::app
