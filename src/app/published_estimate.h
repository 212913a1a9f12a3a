// Publishing an estimate: a researcher chooses one estimate (year, mandate, strata, method) and
// it becomes a record with its provenance in the release the public side serves
// (tables/release.h: the document ESTIMATES.json, written with the release and switched in one
// rename), recorded in the audit log. The public page and API read these records only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "app/estimate.h"
#include "core/result.h"
#include "store/store.h"

namespace rapporteur::app {

// Which of an estimate's answers is published.
enum class EstimateMethod {
  kRecommended,  // The AIC model average with its mixture interval (the platform's default).
  kSelected,     // The selected model with its profile-likelihood interval.
  kLatentClass,  // The latent class posterior median with its credible interval.
};
std::string_view to_code(EstimateMethod method);
// "recommended", "selected" or "latent-class"; kInvalidArgument otherwise.
Result<EstimateMethod> parse_estimate_method(std::string_view code);

// One published figure: the whole country or one stratum.
struct PublishedFigure {
  std::string stratum;          // Empty: the whole country.
  std::int64_t registered = 0;  // People the sources registered (linked persons).
  bool estimable = false;
  std::string reason;  // Why not estimable (English), when not.
  double total = 0;
  double low = 0;
  double high = 0;
  bool low_open = false;   // The bound was not reached: the interval is open there (below `low`).
  bool high_open = false;  // Above `high`.
  std::optional<std::int64_t> population;
};

struct PublishedModel {
  std::string terms;  // Two-list interactions, e.g. "A:B,B:C"; "" the independence model.
  double weight = 0;  // 1 for a single model.
  double total = 0;
};

struct PublishedWarning {
  std::string code;  // Stable code for translation at the face (app/warnings.h).
  std::vector<std::string> values;
  std::string text;  // In English.
};

struct PublishedEstimate {
  std::string id;  // "<mandate>-<year>" with "-<by>" for strata; file-name safe, unique.
  int year = 0;
  std::string mandate;
  std::string role;
  std::string by;                  // The strata; empty for none.
  std::string method;              // to_code(EstimateMethod).
  std::string method_description;  // E.g. "AIC model average over 8 models" (English).
  std::string criterion;           // Of the selected model: "aic" or "bic".
  int bootstrap = 0;               // Replicates of the selected model's bootstrap; 0: none.
  PublishedFigure national;
  std::vector<PublishedFigure> strata;  // With `by`: per stratum.
  double sum_of_strata = 0;             // Of the estimable strata's totals.
  // The model(s) behind `national`, heaviest first: of an average the (at most 20) models with
  // weight at least 0.01; `model_count` counts them all and `other_weight` is the weight of
  // those not listed.
  std::vector<PublishedModel> models;
  int model_count = 0;
  double other_weight = 0;
  std::vector<PublishedWarning> warnings;
  EstimateProvenance provenance;
  std::uint64_t seed = 0;
  std::string software_version;
  std::string published_on;  // YYYY-MM-DD.
  // Who published it: in the audit log and returned by publish_estimate, never in the public
  // record (a staff member's account name is not public).
  std::string published_by;
  std::string release;  // The release it was published in (returned by publish_estimate only).
  // Why the published folder's copy was not updated (returned by publish_estimate only).
  std::string warning;
};

struct PublishEstimateRequest {
  EstimateRequest estimate;
  EstimateMethod method = EstimateMethod::kRecommended;
  std::filesystem::path folder;  // The published folder's copy (app::publish); empty for none.
  std::string date;              // YYYY-MM-DD; empty: today.
  std::string actor = "cli";     // Who publishes, for the record and the audit log.
};

// The record of `report` estimated by `method` (no I/O). Fails with kInvalidArgument when the
// whole-country figure has no answer by `method` (latent class not run, or not estimable), or
// for a joint model (not published).
Result<PublishedEstimate> make_published_estimate(const EstimateReport& report, EstimateMethod method);

// Estimates, makes the record and publishes it as a new release (replacing an earlier record
// with the same id; the other records stay), then records "publish_estimate" with the id and
// release in the audit log. Fails with kInvalidArgument for a date not YYYY-MM-DD, as
// estimate() and make_published_estimate() do, and with kIo when the release cannot be written
// (the served one is then unchanged).
Result<PublishedEstimate> publish_estimate(store::Store& store, const PublishEstimateRequest& request);

// The published estimates of the served release, newest year first then by id; empty when
// there are none. Fails with kInternal when the document is unreadable.
Result<std::vector<PublishedEstimate>> published_estimates(store::FileStore& store);

// A record as JSON (the API's form and the document's), and back.
std::string to_json(const PublishedEstimate& estimate);
Result<PublishedEstimate> published_estimate_from_json(std::string_view text);

}  // namespace rapporteur::app
