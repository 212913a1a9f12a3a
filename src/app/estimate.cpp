#include "app/estimate.h"

#include <algorithm>
#include <cassert>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/files.h"
#include "linkage/persons.h"
#include "linkage/strata.h"

namespace rapporteur::app {
namespace {

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

}  // namespace rapporteur::app
