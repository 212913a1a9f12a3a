// estimate: multiple systems estimation through app::estimate; estimate publish: one estimate
// made public through app::publish_estimate.
#include "cli/internal/command.h"

#include <memory>

#include "app/estimate.h"
#include "app/published_estimate.h"
#include "mse/selection.h"

namespace rapporteur::cli {
namespace {

struct EstimateOptions {
  std::string table;
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  std::string linkage = "probabilistic";
  std::string by;
  std::string model;
  std::string search = "auto";
  std::string criterion = "bic";
  double pthresh = 0.02;
  bool json = false;
  bool csv = false;
  bool no_sensitivity = false;
  bool no_linkage_spread = false;
  bool latent_class = false;
  bool joint = false;
  std::string stratum_lists = "all";
  int bootstrap = 0;
  std::string bootstrap_method = "nonparametric";
  std::uint64_t seed = 1;
};

// Estimates through app::estimate and prints the report as text, JSON or CSV.
Result<void> run_estimate(const GlobalOptions& global, const EstimateOptions& options, std::ostream& out) {
  app::EstimateRequest request;
  request.table_file = options.table;
  request.year = options.year;
  request.mandate = options.mandate;
  request.role = options.role;
  request.by = options.by;
  request.selection.model = options.model;
  request.selection.search = options.search == "exhaustive" ? mse::SearchChoice::kExhaustive
                             : options.search == "stepwise" ? mse::SearchChoice::kStepwise
                             : options.search == "sparse"   ? mse::SearchChoice::kSparse
                                                            : mse::SearchChoice::kAuto;
  request.selection.criterion = options.criterion == "aic" ? mse::Criterion::kAic : mse::Criterion::kBic;
  request.selection.pthresh = options.pthresh;
  request.selection.bootstrap = options.bootstrap;
  request.selection.bootstrap_method = options.bootstrap_method == "parametric" ? mse::BootstrapMethod::kParametric
                                                                                : mse::BootstrapMethod::kNonparametric;
  request.selection.seed = options.seed;
  request.selection.sensitivity = options.no_sensitivity ? mse::Sensitivity::kSkip : mse::Sensitivity::kInclude;
  request.joint = options.joint ? app::Joint::kOneModel : app::Joint::kSeparate;
  request.latent_class = options.latent_class ? mse::LatentClassRun::kRun : mse::LatentClassRun::kSkip;
  request.stratum_lists = options.stratum_lists;
  ASSIGN_OR_RETURN(request.linkage, app::parse_linkage_method(options.linkage));
  request.linkage_spread =
      options.no_linkage_spread ? app::LinkageSpreadRun::kSkip : app::LinkageSpreadRun::kThresholds;
  std::unique_ptr<store::Store> store;
  if (options.table.empty()) {
    ASSIGN_OR_RETURN(store, open_store(global));
  }
  ASSIGN_OR_RETURN(const auto report, app::estimate(store.get(), request));
  out << (options.json ? app::to_json(report) : options.csv ? app::to_csv(report) : app::to_text(report));
  return ok();
}

struct PublishOptions {
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string by;
  std::string method = "recommended";
  std::string criterion = "bic";
  std::string linkage = "probabilistic";
  int bootstrap = 0;
  std::uint64_t seed = 1;
  std::string out;   // The published folder; empty: the instance's.
  std::string date;  // Empty: today.
};

// Publishes one estimate of the linked registrations and prints its record as JSON.
Result<void> run_estimate_publish(const GlobalOptions& global, const PublishOptions& options, std::ostream& out) {
  app::PublishEstimateRequest request;
  request.estimate.year = options.year;
  request.estimate.mandate = options.mandate;
  request.estimate.by = options.by;
  request.estimate.selection.criterion = options.criterion == "aic" ? mse::Criterion::kAic : mse::Criterion::kBic;
  request.estimate.selection.bootstrap = options.bootstrap;
  request.estimate.selection.seed = options.seed;
  request.estimate.selection.sensitivity = mse::Sensitivity::kSkip;
  ASSIGN_OR_RETURN(request.estimate.linkage, app::parse_linkage_method(options.linkage));
  ASSIGN_OR_RETURN(request.method, app::parse_estimate_method(options.method));
  request.folder = options.out;
  request.date = options.date;
  request.actor = "cli";
  app::Workspace workspace = workspace_of(global);
  return workspace.publish_estimate(std::move(request), out).map([](const auto&) {});
}

}  // namespace

void add_estimate_commands(CLI::App& app, Action& action) {
  auto estimate_options = std::make_shared<EstimateOptions>();
  CLI::App* estimate = app.add_subcommand("estimate", "Multiple systems estimation of the number no source saw");
  auto* table_option =
      estimate->add_option("--table", estimate_options->table, "A capture-history CSV (0/1 columns and count)")
          ->check(CLI::ExistingFile);
  auto* year_option =
      estimate->add_option("--year", estimate_options->year, "Estimate from the linked registrations of this year")
          ->check(CLI::Range(1990, 2100));
  table_option->excludes(year_option);
  estimate->add_option("--mandate", estimate_options->mandate)
      ->check(CLI::IsMember({"human_trafficking", "sexual_violence_against_children"}))
      ->capture_default_str();
  estimate->add_option("--role", estimate_options->role)
      ->check(CLI::IsMember({"victim", "suspect"}))
      ->capture_default_str();
  estimate->add_option("--linkage", estimate_options->linkage, "How registrations are linked into persons")
      ->check(CLI::IsMember({"probabilistic", "deterministic"}))
      ->capture_default_str();
  estimate->add_flag("--no-linkage-spread", estimate_options->no_linkage_spread,
                     "Skip re-linking at a stricter and a looser threshold to report the estimate's linkage spread");
  estimate->add_option("--by", estimate_options->by,
                       "Strata: any of form,sex,age,region (with --year), or a covariate column (with --table)");
  estimate->add_flag("--joint", estimate_options->joint,
                     "One model over all strata (with --by and --model): stratum effects, shared pairs");
  estimate
      ->add_option("--stratum-lists", estimate_options->stratum_lists,
                   "With --joint: lists whose chance differs by stratum ('all', 'none' or 'A,B')")
      ->capture_default_str();
  estimate->add_option("--model", estimate_options->model, "Fit one model: 'independence' or pairs such as 'A:B,C:D'");
  estimate
      ->add_option("--search", estimate_options->search,
                   "auto (exhaustive up to 6 lists), exhaustive, stepwise, or sparse (Chan, Silverman and Vincent)")
      ->check(CLI::IsMember({"auto", "exhaustive", "stepwise", "sparse"}))
      ->capture_default_str();
  estimate->add_option("--pthresh", estimate_options->pthresh, "p-value threshold of the sparse stepwise search")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  estimate->add_option("--criterion", estimate_options->criterion)
      ->check(CLI::IsMember({"aic", "bic"}))
      ->capture_default_str();
  auto* json_flag = estimate->add_flag("--json", estimate_options->json, "Machine-readable JSON");
  estimate->add_flag("--csv", estimate_options->csv, "One CSV line per stratum")->excludes(json_flag);
  estimate
      ->add_option("--bootstrap", estimate_options->bootstrap,
                   "Bootstrap replicates (BCa and percentile intervals, model choice redone in each)")
      ->check(CLI::Range(10, 100000));
  estimate
      ->add_option("--bootstrap-method", estimate_options->bootstrap_method,
                   "nonparametric (resample the people seen) or parametric (Poisson draws from the chosen model)")
      ->check(CLI::IsMember({"nonparametric", "parametric"}))
      ->capture_default_str();
  estimate->add_option("--seed", estimate_options->seed, "Seed of the bootstrap")->capture_default_str();
  estimate->add_flag("--latent-class", estimate_options->latent_class,
                     "Also run the latent-class model (4 chains x 110,000 iterations; R-hat and effective draws)");
  estimate->add_flag("--no-sensitivity", estimate_options->no_sensitivity,
                     "Skip the table of estimates under the other procedures (faster)");

  auto publish_options = std::make_shared<PublishOptions>();
  CLI::App* publish = estimate->add_subcommand(
      "publish",
      "Publish one estimate of a year's linked registrations on the public site (/schattingen) with its provenance");
  publish->add_option("--year", publish_options->year, "The year")->required()->check(CLI::Range(1990, 2100));
  publish->add_option("--mandate", publish_options->mandate)
      ->check(CLI::IsMember({"human_trafficking", "sexual_violence_against_children"}))
      ->capture_default_str();
  publish->add_option("--by", publish_options->by,
                      "Strata: any of form,sex,age,region; the national estimate is published with them");
  publish
      ->add_option("--method", publish_options->method,
                   "recommended (AIC model average), selected (selected model, profile interval) or latent-class")
      ->check(CLI::IsMember({"recommended", "selected", "latent-class"}))
      ->capture_default_str();
  publish->add_option("--criterion", publish_options->criterion, "Of the selected model")
      ->check(CLI::IsMember({"aic", "bic"}))
      ->capture_default_str();
  publish->add_option("--linkage", publish_options->linkage)
      ->check(CLI::IsMember({"probabilistic", "deterministic"}))
      ->capture_default_str();
  publish->add_option("--bootstrap", publish_options->bootstrap, "Bootstrap replicates of the selected model")
      ->check(CLI::Range(10, 100000));
  publish->add_option("--seed", publish_options->seed, "Seed of the bootstrap and the latent class sampler")
      ->capture_default_str();
  publish->add_option("--out", publish_options->out, "Published folder (default: published/ beside the database)");
  publish->add_option("--date", publish_options->date, "Publication date YYYY-MM-DD (default: today)");
  publish->callback([&action, publish_options] {
    action = [publish_options](Context& c) {
      return finish(c, run_estimate_publish(c.global, *publish_options, c.out));
    };
  });

  estimate->callback([&action, estimate_options, publish] {
    if (publish->parsed()) return;  // `estimate publish` set its own action.
    action = [estimate_options](Context& c) {
      if (estimate_options->table.empty() && estimate_options->year == 0) {
        c.err << "rapporteur: estimate needs --table FILE or --year Y (see rapporteur estimate --help)\n";
        return kExitUsage;
      }
      return finish(c, run_estimate(c.global, *estimate_options, c.out));
    };
  });
}

}  // namespace rapporteur::cli
