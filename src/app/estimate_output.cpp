// An estimate's report written out: as JSON, CSV and text (to_json, to_csv, to_text).
#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "app/estimate.h"
#include "core/csv.h"

namespace rapporteur::app {
namespace {

using nlohmann::json;

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

}  // namespace

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
