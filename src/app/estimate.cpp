#include "app/estimate.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "core/csv.h"
#include "core/files.h"
#include "linkage/persons.h"
#include "linkage/strata.h"

namespace rapporteur::app {
namespace {

using nlohmann::json;

// The police unit of every municipality (and of every police unit itself).
Result<std::map<std::string, std::string>> police_units(store::Store& store) {
  ASSIGN_OR_RETURN(const auto regions, store.regions());
  std::map<std::string, std::string> unit_of;
  for (const Region& r : regions) {
    if (r.level == RegionLevel::kPoliceUnit) unit_of[r.code] = r.code;
  }
  for (const Region& r : regions) {
    if (r.level == RegionLevel::kMunicipality && r.parent_code && unit_of.count(*r.parent_code)) {
      unit_of[r.code] = *r.parent_code;
    }
  }
  return unit_of;
}

// One model over all strata: a main effect per stratum, the lists of `stratum_lists` varying
// by stratum, and the fixed model's pairs shared by all strata.
Result<JointEstimate> joint_estimate(const std::vector<std::pair<std::string, mse::CaptureTable>>& tables,
                                     const EstimateRequest& request) {
  if (request.by.empty() || tables.size() < 2) {
    return fail(ErrorCode::kInvalidArgument, "--joint needs --by with at least two strata");
  }
  JointEstimate joint;
  mse::StratifiedTable& table = joint.table;
  table.lists = tables.front().second.lists;
  for (const auto& [stratum, t] : tables) {
    table.strata.push_back(stratum);
    table.counts.push_back(t.counts);
  }
  mse::StratifiedModel model;
  ASSIGN_OR_RETURN(model.pairs, mse::parse_model(request.selection.model, table.lists));
  if (request.stratum_lists == "all") {
    for (int i = 0; i < static_cast<int>(table.lists.size()); ++i) model.stratum_lists.push_back(i);
  } else if (request.stratum_lists != "none") {
    std::stringstream names(request.stratum_lists);
    for (std::string name; std::getline(names, name, ',');) {
      const auto it = std::find(table.lists.begin(), table.lists.end(), name);
      if (it == table.lists.end()) {
        return fail(ErrorCode::kInvalidArgument, fmt::format("--stratum-lists: '{}' is not a list of the table", name));
      }
      model.stratum_lists.push_back(static_cast<int>(it - table.lists.begin()));
    }
  }
  for (const int i : model.stratum_lists) {
    for (std::size_t s = 0; s < table.strata.size(); ++s) {
      std::int64_t seen = 0;
      for (std::size_t p = 1; p < table.counts[s].size(); ++p) seen += ((p >> i) & 1) ? table.counts[s][p] : 0;
      if (seen == 0) {
        return fail(
            ErrorCode::kInvalidArgument,
            fmt::format("list {} saw nobody in stratum {}, so its chance cannot vary by stratum: leave it out of "
                        "--stratum-lists",
                        table.lists[static_cast<std::size_t>(i)], table.strata[s]));
      }
    }
  }
  ASSIGN_OR_RETURN(joint.fit, mse::fit_stratified(table, model));
  if (joint.fit.status != mse::FitStatus::kOk) {
    return fail(ErrorCode::kInvalidArgument, "the joint model is not estimable: " + joint.fit.message);
  }
  joint.terms = mse::describe(model.pairs, table.lists);
  for (const int i : model.stratum_lists) joint.varying_lists.push_back(table.lists[static_cast<std::size_t>(i)]);
  return joint;
}

json fit_json(const mse::FitResult& f, const std::vector<std::string>& lists) {
  const bool ok = f.status == mse::FitStatus::kOk;
  const auto number = [&](double value) { return ok ? json(value) : json(nullptr); };
  return {{"terms", mse::describe(f.model, lists)},
          {"estimable", ok},
          {"message", f.message},
          {"estimate_total", number(f.total)},
          {"estimate_unobserved", number(f.unobserved)},
          {"ci_low", number(f.ci_low)},
          {"ci_high", number(f.ci_high)},
          {"ci_method", "log-normal"},
          {"deviance", number(f.deviance)},
          {"aic", number(f.aic)},
          {"bic", number(f.bic)},
          {"parameters", f.parameters}};
}

std::int64_t observed_in(const std::vector<std::int64_t>& counts) {
  std::int64_t observed = 0;
  for (std::size_t p = 1; p < counts.size(); ++p) observed += counts[p];
  return observed;
}

json joint_json(const EstimateReport& report) {
  const JointEstimate& j = *report.joint;
  json strata = json::array();
  for (std::size_t s = 0; s < j.table.strata.size(); ++s) {
    const std::int64_t observed = observed_in(j.table.counts[s]);
    strata.push_back({{"stratum", j.table.strata[s]},
                      {"observed", observed},
                      {"estimate_unobserved", j.fit.unobserved[s]},
                      {"estimate_total", static_cast<double>(observed) + j.fit.unobserved[s]}});
  }
  json result{{"procedure", "joint model over strata"},
              {"by", report.request.by},
              {"terms", j.terms},
              {"stratum_lists", j.varying_lists},
              {"lists", j.table.lists},
              {"observed", j.table.observed()},
              {"estimate_total", j.fit.total},
              {"estimate_unobserved", j.fit.total - static_cast<double>(j.table.observed())},
              {"ci_low", j.fit.ci_low},
              {"ci_high", j.fit.ci_high},
              {"ci_method", "log-normal on the summed unobserved counts (delta method)"},
              {"deviance", j.fit.deviance},
              {"aic", j.fit.aic},
              {"bic", j.fit.bic},
              {"parameters", j.fit.parameters},
              {"strata", strata},
              {"warnings", json::array()}};
  if (j.population && *j.population > 0) {
    result["population"] = *j.population;
    result["rate_per_100k"] = j.fit.total / static_cast<double>(*j.population) * 1e5;
  }
  return result;
}

json recommended_json(const StratumEstimate& s) {
  if (!s.recommended) return {{"error", s.recommended_error}};
  const auto& r = *s.recommended;
  json alternatives = json::array();
  for (const auto& a : r.alternatives)
    alternatives.push_back({{"method", a.method}, {"total", a.total}, {"low", a.low}, {"high", a.high}});
  json result{{"method", r.primary.method}, {"total", r.primary.total},          {"low", r.primary.low},
              {"high", r.primary.high},     {"models", r.average.models.size()}, {"alternatives", alternatives},
              {"warnings", r.warnings}};
  if (!r.latent_class.empty()) {
    const auto& lc = r.latent_class.front();
    result["latent_class"] = {{"median", lc.median},
                              {"low", lc.low},
                              {"high", lc.high},
                              {"r_hat", lc.r_hat},
                              {"effective_sample_size", lc.effective_sample_size},
                              {"warnings", lc.warnings}};
  }
  return result;
}

json stratum_json(const StratumEstimate& s, const EstimateRequest& request) {
  if (!s.estimate) return {{"stratum", s.stratum}, {"error", s.error}, {"recommended", recommended_json(s)}};
  const mse::Estimate& e = *s.estimate;
  json models = json::array();
  for (const auto& f : e.search.models) models.push_back(fit_json(f, e.table.lists));
  json entry = fit_json(e.search.models.front(), e.table.lists);
  if (e.profile) {
    entry["lognormal_ci_low"] = entry["ci_low"];
    entry["lognormal_ci_high"] = entry["ci_high"];
    entry["ci_low"] = e.profile->low;
    entry["ci_high"] = e.profile->high;
    entry["ci_upper_found"] = e.profile->high_found;
    entry["ci_method"] = "profile likelihood (multinomial, Rcapture closedpCI.t)";
  }
  if (e.bootstrap) {
    entry["bootstrap"] = {{"replicates", e.bootstrap->totals.size()},
                          {"failed", e.bootstrap->failed},
                          {"seed", request.selection.seed},
                          {"method", e.bootstrap_method},
                          {"bca_low", e.bootstrap->bca_low},
                          {"bca_high", e.bootstrap->bca_high},
                          {"percentile_low", e.bootstrap->percentile_low},
                          {"percentile_high", e.bootstrap->percentile_high},
                          {"bias_correction", e.bootstrap->bias_correction},
                          {"acceleration", e.bootstrap->acceleration}};
  }
  entry["stratum"] = s.stratum;
  if (s.population && *s.population > 0) {
    const double per = 1e5 / static_cast<double>(*s.population);
    entry["population"] = *s.population;
    entry["rate_per_100k"] = e.search.models.front().total * per;
    entry["rate_ci_low"] = entry["ci_low"].get<double>() * per;
    entry["rate_ci_high"] = entry["ci_high"].get<double>() * per;
  }
  entry["lists"] = e.table.lists;
  entry["observed"] = e.table.observed();
  entry["procedure"] = e.search.procedure;
  entry["criterion"] = e.search.criterion == mse::Criterion::kAic ? "aic" : "bic";
  entry["bic_sample_size"] = e.table.observed();
  entry["path"] = e.search.path;
  entry["warnings"] = e.warnings;
  entry["models"] = std::move(models);
  json sensitivity = json::array();
  for (const auto& [procedure, f] : e.sensitivity) {
    sensitivity.push_back(f ? json{{"procedure", procedure},
                                   {"estimable", true},
                                   {"terms", mse::describe(f->model, e.table.lists)},
                                   {"total", f->total},
                                   {"low", f->ci_low},
                                   {"high", f->ci_high}}
                            : json{{"procedure", procedure}, {"estimable", false}});
  }
  entry["sensitivity"] = std::move(sensitivity);
  entry["recommended"] = recommended_json(s);
  return entry;
}

void print_estimate(const mse::Estimate& e, std::optional<std::int64_t> population, std::string& out) {
  const mse::FitResult& best = e.search.models.front();
  const auto& lists = e.table.lists;
  const std::string criterion = e.search.criterion == mse::Criterion::kAic ? "AIC" : "BIC";
  const bool sparse = e.search.procedure.starts_with("sparse");
  out += fmt::format("{} ({}{}; BIC sample size = {} observed people)\n",
                     e.stratum.empty() ? "Estimate" : "Stratum " + e.stratum, e.search.procedure,
                     sparse ? "" : " by " + criterion, e.table.observed());
  out += fmt::format("  lists: {}\n  model: {}\n", fmt::join(lists, ", "), mse::describe(best.model, lists));
  out +=
      fmt::format("  observed {}  unobserved {:.0f}  total {:.0f}\n", e.table.observed(), best.unobserved, best.total);
  if (e.profile) {
    out += fmt::format(
        "  95% CI {:.0f} to {}{:.0f} (multinomial profile likelihood, as Rcapture closedpCI.t; maximum at {:.1f})\n",
        e.profile->low, e.profile->high_found ? "" : ">", e.profile->high, e.profile->estimate);
  }
  out += fmt::format("  95% CI {:.0f} to {:.0f} (log-normal on the unobserved count)\n", best.ci_low, best.ci_high);
  if (e.bootstrap) {
    out += fmt::format(
        "  95% CI {:.0f} to {:.0f} ({} bootstrap BCa, {} replicates with re-selection; percentile {:.0f} to {:.0f})\n",
        e.bootstrap->bca_low, e.bootstrap->bca_high, e.bootstrap_method, e.bootstrap->totals.size(),
        e.bootstrap->percentile_low, e.bootstrap->percentile_high);
  }
  if (population && *population > 0) {
    // The rate's interval is the total's first interval (profile likelihood when there is one).
    const double per = 1e5 / static_cast<double>(*population);
    out += fmt::format("  per 100,000 inhabitants: {:.1f} (95% CI {:.1f} to {:.1f}; population {})\n", best.total * per,
                       (e.profile ? e.profile->low : best.ci_low) * per,
                       (e.profile ? e.profile->high : best.ci_high) * per, *population);
  }
  out += "  runner-up models:\n";
  for (std::size_t i = 0; i < std::min<std::size_t>(6, e.search.models.size()); ++i) {
    const auto& f = e.search.models[i];
    if (f.status != mse::FitStatus::kOk) break;
    out += fmt::format("    {:>2}. {:<40} {} {:10.2f}  total {:8.0f}\n", i + 1, mse::describe(f.model, lists),
                       criterion, mse::criterion_value(f, e.search.criterion), f.total);
  }
  out += "  search path:\n";
  for (const auto& step : e.search.path) out += "    " + step + '\n';
  out += "  sensitivity (estimate under each procedure):\n";
  for (const auto& [name, f] : e.sensitivity) {
    out += f ? fmt::format("    {:<16} {:8.0f}  ({:.0f} to {:.0f})  {}\n", name, f->total, f->ci_low, f->ci_high,
                           mse::describe(f->model, lists))
             : fmt::format("    {:<16} not estimable\n", name);
  }
  for (const auto& w : e.warnings) out += "  warning: " + w + '\n';
}

// The recommended estimate (what the platform reports first) and its alternatives.
void print_recommended(const StratumEstimate& s, std::string& out) {
  if (!s.recommended) {
    out += "  recommended estimate: not estimable: " + s.recommended_error + '\n';
    return;
  }
  const auto& r = *s.recommended;
  out += fmt::format("  recommended: {:.0f} (95% interval {:.0f} to {:.0f}; {} over {} models)\n", r.primary.total,
                     r.primary.low, r.primary.high, r.primary.method, r.average.models.size());
  for (const auto& a : r.alternatives) {
    out += fmt::format("    beside it: {:<34} {:8.0f}  ({:.0f} to {:.0f})\n", a.method, a.total, a.low, a.high);
  }
  if (!r.latent_class.empty()) {
    out += fmt::format("    latent class convergence: R-hat {:.2f}, effective draws {:.0f}\n",
                       r.latent_class.front().r_hat, r.latent_class.front().effective_sample_size);
  }
  for (const auto& w : r.warnings) out += "  warning: " + w + '\n';
}

using Tables = std::vector<std::pair<std::string, mse::CaptureTable>>;

// The capture tables of `histories` in the request's strata.
Result<Tables> stratified_tables(const linkage::Histories& histories, const EstimateRequest& request,
                                 const std::map<std::string, std::string>& unit_of) {
  ASSIGN_OR_RETURN(const auto strata, linkage::strata(histories, linkage::split_dimensions(request.by), unit_of));
  Tables tables;
  for (const auto& s : strata) tables.emplace_back(s.name, mse::CaptureTable{histories.sources, s.counts});
  return tables;
}

// The point estimates on `tables` as the report gives them: the selected model's total per
// stratum (by name, parallel to `names`) and their sum, or the joint model's total. Bootstrap
// and sensitivity fits are skipped: they do not move the point estimate.
Result<LinkageVariant> point_estimates(const Tables& tables, const EstimateRequest& request,
                                       const std::vector<std::string>& names) {
  LinkageVariant variant;
  variant.strata.assign(names.size(), std::nullopt);
  if (request.joint == Joint::kOneModel) {
    ASSIGN_OR_RETURN(const auto joint, joint_estimate(tables, request));
    variant.total = joint.fit.total;
    return variant;
  }
  mse::SelectionOptions selection = request.selection;
  selection.bootstrap = 0;
  selection.sensitivity = mse::Sensitivity::kSkip;
  bool estimable = false;
  for (const auto& [stratum, table] : tables) {
    const auto estimated = mse::select_and_estimate(table, selection, stratum);
    if (!estimated) continue;
    const double total = estimated->search.models.front().total;
    variant.total += total;
    estimable = true;
    const auto at = std::find(names.begin(), names.end(), stratum);
    if (at != names.end()) variant.strata[static_cast<std::size_t>(at - names.begin())] = total;
  }
  if (!estimable) return fail(ErrorCode::kInvalidArgument, "no stratum is estimable");
  return variant;
}

// Re-links the year at the stricter and the looser thresholds and estimates on each, beside
// the estimate on the linkage used (`used`, with the report's own point estimates).
Result<LinkageSpread> linkage_spread(store::Store& store, const EstimateRequest& request,
                                     const std::map<std::string, std::string>& unit_of, const EstimateReport& report,
                                     LinkageVariant used) {
  std::vector<std::string> names;
  for (const auto& s : report.strata) {
    names.push_back(s.stratum);
    used.strata.push_back(s.estimate ? std::optional(s.estimate->search.models.front().total) : std::nullopt);
  }
  used.total = report.joint ? report.joint->fit.total : report.total_of_strata;
  LinkageSpread spread;
  for (const auto& thresholds :
       {std::optional(kStricterLinkage), std::optional<LinkThresholds>(), std::optional(kLooserLinkage)}) {
    if (!thresholds) {
      spread.variants.push_back(used);
      continue;
    }
    ASSIGN_OR_RETURN(const auto run, run_linkage(store, {.year = request.year,
                                                         .mandate = request.mandate,
                                                         .role = request.role,
                                                         .method = LinkageMethod::kProbabilistic,
                                                         .thresholds = thresholds}));
    ASSIGN_OR_RETURN(const auto tables, stratified_tables(run.histories, request, unit_of));
    auto variant = point_estimates(tables, request, names);
    if (!variant) {
      spdlog::warn("linkage spread: the linkage at match threshold {} is left out: {}", thresholds->match,
                   variant.error().message);
      continue;
    }
    variant->thresholds = *thresholds;
    variant->persons = run.histories.persons;
    spread.variants.push_back(std::move(*variant));
  }
  spread.low = spread.high = used.total;
  spread.strata.assign(names.size(), std::nullopt);
  for (const auto& v : spread.variants) {
    spread.low = std::min(spread.low, v.total);
    spread.high = std::max(spread.high, v.total);
    for (std::size_t i = 0; i < names.size(); ++i) {
      if (!v.strata[i]) continue;
      auto& range = spread.strata[i];
      range = range ? std::pair(std::min(range->first, *v.strata[i]), std::max(range->second, *v.strata[i]))
                    : std::pair(*v.strata[i], *v.strata[i]);
    }
  }
  return spread;
}

json spread_json(const LinkageSpread& spread) {
  json variants = json::array();
  for (const auto& v : spread.variants) {
    variants.push_back({{"match_threshold", v.thresholds.match},
                        {"cluster_support", v.thresholds.cluster_support},
                        {"persons", v.persons},
                        {"total", v.total}});
  }
  return {{"low", spread.low}, {"high", spread.high}, {"variants", variants}};
}

std::string spread_text(const LinkageSpread& spread) {
  std::string out = fmt::format("Linkage spread: {:.0f} to {:.0f} (point estimates on linkages at match threshold",
                                spread.low, spread.high);
  for (const auto& v : spread.variants) {
    out += fmt::format("{} {:.1f}: {} persons, total {:.0f}", &v == &spread.variants.front() ? "" : ";",
                       v.thresholds.match, v.persons, v.total);
  }
  return out + ")\n";
}

// The batches, linkage method and parameters an estimate of `year` rests on.
Result<void> record_provenance(store::Store& store, int year, const LinkageRun& run, EstimateProvenance& provenance) {
  ASSIGN_OR_RETURN(const auto batches, store.batches());
  for (const auto& b : batches) {
    if (b.year != year || b.status != store::BatchStatus::kActive) continue;
    if (std::find(run.sources.begin(), run.sources.end(), b.source_code) == run.sources.end()) continue;
    provenance.batches.push_back({b.id, b.source_code, b.file_sha256, b.rows_loaded, b.loaded_at});
  }
  provenance.linkage_method = std::string(to_code(run.method));
  provenance.linkage_note = run.note;
  provenance.registrations = static_cast<std::int64_t>(run.registrations.size());
  provenance.persons = run.histories.persons;
  if (run.probabilistic) {
    const linkage::LinkOptions options = linkage::person_link_options();
    provenance.match_threshold = options.match_threshold;
    provenance.cluster_support = options.cluster_support;
    provenance.duplicate_threshold = options.duplicate_threshold;
    provenance.linkage_seed = options.seed;
    provenance.em_iterations = run.probabilistic->model.em_iterations;
    provenance.em_converged = run.probabilistic->model.converged;
    provenance.links = static_cast<std::int64_t>(run.probabilistic->links.size());
  }
  return ok();
}

}  // namespace

Result<EstimateReport> estimate(store::Store* store, const EstimateRequest& request) {
  EstimateReport report;
  report.request = request;
  Tables tables;
  std::map<std::string, std::int64_t> stratum_population;  // Strata that are about one region.
  std::map<std::string, std::string> unit_of;
  std::optional<LinkageVariant> used;  // The linkage used, when the spread is to be reported.
  if (!request.table_file.empty()) {
    std::ifstream file(request.table_file);
    if (!file) return fail(ErrorCode::kIo, fmt::format("{}: cannot open file", request.table_file));
    std::stringstream text;
    text << file.rdbuf();
    report.provenance.table_file = std::filesystem::path(request.table_file).filename().string();
    report.provenance.table_file_sha256 = sha256_hex(text.str());
    if (!request.by.empty()) {
      // A covariate column of the file as strata.
      ASSIGN_OR_RETURN(const auto stratified, mse::parse_stratified_table(text.str(), request.table_file, request.by));
      for (std::size_t s = 0; s < stratified.strata.size(); ++s) {
        tables.emplace_back(stratified.strata[s], mse::CaptureTable{stratified.lists, stratified.counts[s]});
      }
    } else {
      ASSIGN_OR_RETURN(auto table, mse::parse_capture_table(text.str(), request.table_file));
      tables.emplace_back("", std::move(table));
    }
  } else {
    assert(store != nullptr && "a year is estimated from the store");
    ASSIGN_OR_RETURN(const LinkageRun run, run_linkage(*store, {.year = request.year,
                                                                .mandate = request.mandate,
                                                                .role = request.role,
                                                                .method = request.linkage}));
    const linkage::Histories& histories = run.histories;
    RETURN_IF_ERROR(record_provenance(*store, request.year, run, report.provenance));
    if (histories.persons == 0) {
      return fail(ErrorCode::kNotFound,
                  fmt::format("no {} {} registrations in {}", request.mandate, request.role, request.year));
    }
    if (histories.sources.size() < 2) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("only {} source(s) registered anyone in {}: estimation needs two or more lists",
                              histories.sources.size(), request.year));
    }
    ASSIGN_OR_RETURN(unit_of, police_units(*store));
    const auto dimensions = linkage::split_dimensions(request.by);
    ASSIGN_OR_RETURN(tables, stratified_tables(histories, request, unit_of));
    if (request.linkage_spread == LinkageSpreadRun::kThresholds && run.method == LinkageMethod::kProbabilistic) {
      const auto options = linkage::person_link_options();
      used =
          LinkageVariant{.thresholds = {.match = options.match_threshold, .cluster_support = options.cluster_support},
                         .persons = histories.persons};
    }
    if (auto p = store->population("NL01", request.year)) report.population = *p;
    for (const auto& [stratum, table] : tables) {
      const auto region = linkage::region_of_stratum(stratum, dimensions);
      if (!region) continue;
      if (auto p = store->population(*region, request.year)) stratum_population[stratum] = *p;
    }
  }
  if (request.joint == Joint::kOneModel) {
    ASSIGN_OR_RETURN(report.joint, joint_estimate(tables, request));
    report.joint->population = report.population;
    if (used) {
      ASSIGN_OR_RETURN(report.linkage_spread, linkage_spread(*store, request, unit_of, report, *used));
    }
    return report;
  }
  // The national table: every stratum's people together (the strata partition them).
  std::optional<mse::CaptureTable> national;
  if (tables.size() > 1) {
    national = mse::CaptureTable{tables.front().second.lists,
                                 std::vector<std::int64_t>(tables.front().second.counts.size(), 0)};
    for (const auto& [stratum, table] : tables) {
      for (std::size_t p = 0; p < table.counts.size(); ++p) national->counts[p] += table.counts[p];
    }
  }
  const double steps = static_cast<double>(tables.size() + (national ? 1 : 0));
  int step = 0;
  const auto estimate_one = [&](const std::string& stratum, const mse::CaptureTable& table,
                                std::optional<std::int64_t> population) -> Result<StratumEstimate> {
    if (cancel_requested(request.cancellation)) return fail(ErrorCode::kCancelled, "the estimate was cancelled");
    StratumEstimate s;
    s.stratum = stratum;
    s.population = population;
    mse::SelectionOptions selection = request.selection;
    selection.cancellation = request.cancellation;
    if (request.progress) {
      selection.bootstrap_progress = [&request, step, steps](double fraction) {
        request.progress((step + fraction) / steps);
      };
    }
    auto estimated = mse::select_and_estimate(table, selection, stratum);
    if (!estimated && estimated.error().code == ErrorCode::kCancelled) return tl::unexpected(estimated.error());
    mse::RecommendedOptions recommended_options;
    recommended_options.latent_class_run = request.latent_class;
    recommended_options.sparse_threshold = request.selection.pthresh;
    recommended_options.latent_class.seed = request.selection.seed;
    recommended_options.latent_class.cancellation = request.cancellation;
    // The selection's exhaustive search (of the same table without empty lists) serves the
    // average too.
    if (estimated && estimated->search.procedure == "exhaustive") recommended_options.exhaustive = &estimated->search;
    if (auto recommended = mse::estimate_recommended(mse::without_empty_lists(table), recommended_options)) {
      s.recommended = std::move(*recommended);
    } else if (recommended.error().code == ErrorCode::kCancelled) {
      return tl::unexpected(recommended.error());
    } else {
      s.recommended_error = recommended.error().message;
    }
    if (!estimated) {
      if (tables.size() == 1) return tl::unexpected(estimated.error());
      s.error = estimated.error().message;
    } else {
      s.estimate = std::move(*estimated);
    }
    ++step;
    if (request.progress) request.progress(step / steps);
    return s;
  };
  for (auto& [stratum, table] : tables) {
    const auto population = tables.size() == 1                  ? report.population
                            : stratum_population.count(stratum) ? std::optional(stratum_population.at(stratum))
                                                                : std::nullopt;
    ASSIGN_OR_RETURN(StratumEstimate s, estimate_one(stratum, table, population));
    if (s.recommended) report.recommended_total_of_strata += s.recommended->primary.total;
    if (s.estimate) report.total_of_strata += s.estimate->search.models.front().total;
    report.strata.push_back(std::move(s));
  }
  if (national) {
    ASSIGN_OR_RETURN(report.national, estimate_one("", *national, report.population));
  }
  if (used) {
    ASSIGN_OR_RETURN(report.linkage_spread, linkage_spread(*store, request, unit_of, report, *used));
  }
  return report;
}

std::string to_json(const EstimateReport& report) {
  const auto& spread = report.linkage_spread;
  if (report.joint) {
    json body = joint_json(report);
    if (spread) body["linkage_spread"] = spread_json(*spread);
    return body.dump(2) + '\n';
  }
  json strata = json::array();
  for (std::size_t i = 0; i < report.strata.size(); ++i) {
    strata.push_back(stratum_json(report.strata[i], report.request));
    if (spread && spread->strata[i]) {
      strata.back()["linkage_spread"] = {{"low", spread->strata[i]->first}, {"high", spread->strata[i]->second}};
    }
  }
  json body = strata.size() == 1 ? strata.front()
                                 : json{{"strata", strata},
                                        {"total_of_strata", report.total_of_strata},
                                        {"recommended_total_of_strata", report.recommended_total_of_strata}};
  if (spread) body["linkage_spread"] = spread_json(*spread);
  if (report.national) body["national"] = stratum_json(*report.national, report.request);
  return body.dump(2) + '\n';
}

std::string to_csv(const EstimateReport& report) {
  std::string out =
      "stratum,terms,observed,unobserved,total,ci_low,ci_high,aic,bic,recommended_total,recommended_low,recommended_"
      "high,"
      "linkage_low,linkage_high\n";
  const auto& spread = report.linkage_spread;
  // The linkage spread of a row: empty when not reported.
  const auto linkage_columns = [](std::optional<std::pair<double, double>> range) {
    return range ? fmt::format(",{:.2f},{:.2f}", range->first, range->second) : std::string(",,");
  };
  const auto recommended = [](const StratumEstimate& s) {
    return s.recommended ? fmt::format(",{:.2f},{:.2f},{:.2f}", s.recommended->primary.total,
                                       s.recommended->primary.low, s.recommended->primary.high)
                         : std::string(",,,");
  };
  if (report.joint) {
    const JointEstimate& j = *report.joint;
    out += fmt::format("{},{},{},{:.2f},{:.2f},{:.2f},{:.2f},{:.4f},{:.4f}\n", csv_field("joint"), csv_field(j.terms),
                       j.table.observed(), j.fit.total - static_cast<double>(j.table.observed()), j.fit.total,
                       j.fit.ci_low, j.fit.ci_high, j.fit.aic, j.fit.bic);
    out.insert(out.size() - 1,
               ",,," + linkage_columns(spread ? std::optional(std::pair(spread->low, spread->high)) : std::nullopt));
    return out;
  }
  std::vector<const StratumEstimate*> rows;
  for (const auto& s : report.strata) rows.push_back(&s);
  if (report.national) rows.push_back(&*report.national);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const StratumEstimate& s = *rows[i];
    // The national row of a stratified report is named "national" (its stratum name is empty);
    // the linkage spread it gets is the total's.
    const bool national = report.national && rows[i] == &*report.national;
    const std::string name = national ? "national" : s.stratum;
    const auto linkage = linkage_columns(!spread    ? std::nullopt
                                         : national ? std::optional(std::pair(spread->low, spread->high))
                                                    : spread->strata[i]);
    if (!s.estimate) {
      out += fmt::format("{},not estimable,,,,,,,{}{}\n", csv_field(name), recommended(s), linkage);
      continue;
    }
    const auto& e = *s.estimate;
    const auto& f = e.search.models.front();
    // The interval is the text's first one: profile likelihood when there is one.
    const double low = e.profile ? e.profile->low : f.ci_low;
    const double high = e.profile ? e.profile->high : f.ci_high;
    out += fmt::format("{},{},{},{:.2f},{:.2f},{:.2f},{:.2f},{:.4f},{:.4f}{}{}\n", csv_field(name),
                       csv_field(mse::describe(f.model, e.table.lists)), e.table.observed(), f.unobserved, f.total, low,
                       high, f.aic, f.bic, recommended(s), linkage);
  }
  return out;
}

std::string to_text(const EstimateReport& report) {
  std::string out;
  if (report.joint) {
    const JointEstimate& j = *report.joint;
    out += fmt::format("Joint model over strata by {} ({} strata; lists varying by stratum: {})\n", report.request.by,
                       j.table.strata.size(),
                       j.varying_lists.empty() ? "none" : fmt::format("{}", fmt::join(j.varying_lists, ", ")));
    out += fmt::format("  lists: {}\n  shared pairs: {}\n", fmt::join(j.table.lists, ", "), j.terms);
    for (std::size_t s = 0; s < j.table.strata.size(); ++s) {
      const std::int64_t observed = observed_in(j.table.counts[s]);
      out += fmt::format("  {:<24} observed {:>7}  unobserved {:>9.0f}  total {:>9.0f}\n", j.table.strata[s], observed,
                         j.fit.unobserved[s], static_cast<double>(observed) + j.fit.unobserved[s]);
    }
    out += fmt::format(
        "  total {:.0f} (95% CI {:.0f} to {:.0f}, log-normal); deviance {:.2f}, AIC {:.2f}, BIC {:.2f}, {} "
        "parameters\n",
        j.fit.total, j.fit.ci_low, j.fit.ci_high, j.fit.deviance, j.fit.aic, j.fit.bic, j.fit.parameters);
    if (j.population && *j.population > 0) {
      out += fmt::format("  per 100,000 inhabitants: {:.1f}\n", j.fit.total / static_cast<double>(*j.population) * 1e5);
    }
    if (report.linkage_spread) out += spread_text(*report.linkage_spread);
    return out;
  }
  const auto& spread = report.linkage_spread;
  for (std::size_t i = 0; i < report.strata.size(); ++i) {
    const auto& s = report.strata[i];
    if (!s.estimate) {
      out += fmt::format("Stratum {}: not estimable: {}\n", s.stratum, s.error);
      continue;
    }
    print_estimate(*s.estimate, s.population, out);
    print_recommended(s, out);
    if (report.strata.size() > 1 && spread && spread->strata[i]) {
      out += fmt::format("  linkage spread: {:.0f} to {:.0f}\n", spread->strata[i]->first, spread->strata[i]->second);
    }
  }
  if (report.national) {
    out += "National estimate (all strata together):\n";
    if (report.national->estimate) {
      print_estimate(*report.national->estimate, report.national->population, out);
    } else {
      out += "  not estimable: " + report.national->error + '\n';
    }
    print_recommended(*report.national, out);
  }
  if (report.strata.size() > 1) {
    out += fmt::format("Sum of the strata's recommended estimates: {:.0f}\n", report.recommended_total_of_strata);
    out += fmt::format("Sum of the strata's estimates: {:.0f}{}\n", report.total_of_strata,
                       report.population
                           ? fmt::format(" ({:.1f} per 100,000)",
                                         report.total_of_strata / static_cast<double>(*report.population) * 1e5)
                           : "");
  }
  if (spread) out += spread_text(*spread);
  return out;
}

}  // namespace rapporteur::app
