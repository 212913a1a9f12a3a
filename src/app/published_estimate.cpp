#include "app/published_estimate.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/publish.h"
#include "app/warnings.h"
#include "core/crash_point.h"
#include "core/time.h"
#include "tables/release.h"

#ifndef RAPPORTEUR_VERSION
#error "RAPPORTEUR_VERSION is set by src/app/CMakeLists.txt"
#endif

namespace rapporteur::app {
namespace {

using nlohmann::json;

constexpr const char* kDocument = "ESTIMATES.json";
constexpr const char* kAction = "publish_estimate";

// The figure `method` gives for one stratum; not estimable (with the reason) when it has none.
PublishedFigure figure_of(const StratumEstimate& s, EstimateMethod method) {
  PublishedFigure f;
  f.stratum = s.stratum;
  f.population = s.population;
  if (s.estimate) {
    f.registered = s.estimate->table.observed();
  } else if (s.recommended && !s.recommended->latent_class.empty()) {
    f.registered = s.recommended->latent_class.front().observed;
  }
  switch (method) {
    case EstimateMethod::kRecommended:
      if (!s.recommended) {
        f.reason = s.recommended_error.empty() ? s.error : s.recommended_error;
        return f;
      }
      f.total = s.recommended->primary.total;
      f.low = s.recommended->primary.low;
      f.high = s.recommended->primary.high;
      break;
    case EstimateMethod::kSelected:
      if (!s.estimate) {
        f.reason = s.error;
        return f;
      }
      f.total = s.estimate->search.models.front().total;
      if (s.estimate->profile) {
        f.low = s.estimate->profile->low;
        f.high = s.estimate->profile->high;
        f.high_open = !s.estimate->profile->high_found;
      } else {
        f.low = s.estimate->search.models.front().ci_low;
        f.high = s.estimate->search.models.front().ci_high;
      }
      break;
    case EstimateMethod::kLatentClass:
      if (!s.recommended || s.recommended->latent_class.empty()) {
        f.reason = s.recommended ? "the latent class model was not run" : s.recommended_error;
        return f;
      }
      f.total = s.recommended->latent_class.front().median;
      f.low = s.recommended->latent_class.front().low;
      f.high = s.recommended->latent_class.front().high;
      break;
  }
  f.estimable = true;
  return f;
}

std::string id_of(const EstimateRequest& request) {
  std::string id = fmt::format("{}-{}", request.mandate, request.year);
  if (!request.by.empty()) {
    id += "-";
    for (const char c : request.by) id += c == ',' ? '_' : c;
  }
  std::replace(id.begin(), id.end(), '_', '-');
  return id;
}

json figure_json(const PublishedFigure& f) {
  json j{{"stratum", f.stratum}, {"registered", f.registered}, {"estimable", f.estimable}};
  if (!f.estimable) {
    j["reason"] = f.reason;
    return j;
  }
  j["total"] = f.total;
  j["low"] = f.low;
  j["high"] = f.high;
  j["low_open"] = f.low_open;
  j["high_open"] = f.high_open;
  j["ratio_to_registered"] = f.registered > 0 ? json(f.total / static_cast<double>(f.registered)) : json(nullptr);
  if (f.population && *f.population > 0) {
    j["population"] = *f.population;
    j["per_100k"] = f.total / static_cast<double>(*f.population) * 1e5;
  }
  return j;
}

PublishedFigure figure_from(const json& j) {
  PublishedFigure f;
  f.stratum = j.value("stratum", "");
  f.registered = j.value("registered", std::int64_t{0});
  f.estimable = j.value("estimable", false);
  f.reason = j.value("reason", "");
  f.total = j.value("total", 0.0);
  f.low = j.value("low", 0.0);
  f.high = j.value("high", 0.0);
  f.low_open = j.value("low_open", false);
  f.high_open = j.value("high_open", false);
  if (j.contains("population")) f.population = j["population"].get<std::int64_t>();
  return f;
}

json to_json_value(const PublishedEstimate& e) {
  json strata = json::array();
  for (const auto& s : e.strata) strata.push_back(figure_json(s));
  json models = json::array();
  for (const auto& m : e.models) models.push_back({{"terms", m.terms}, {"weight", m.weight}, {"total", m.total}});
  json warnings = json::array();
  for (const auto& w : e.warnings) warnings.push_back({{"code", w.code}, {"values", w.values}, {"text", w.text}});
  json batches = json::array();
  for (const auto& b : e.provenance.batches) {
    batches.push_back({{"id", b.id},
                       {"source", b.source},
                       {"file_sha256", b.file_sha256},
                       {"rows_loaded", b.rows_loaded},
                       {"loaded_at", b.loaded_at}});
  }
  const auto& p = e.provenance;
  json linkage{{"method", p.linkage_method},
               {"note", p.linkage_note},
               {"registrations", p.registrations},
               {"persons", p.persons}};
  if (p.linkage_method == "probabilistic") {
    linkage["match_threshold"] = p.match_threshold;
    linkage["cluster_support"] = p.cluster_support;
    linkage["duplicate_threshold"] = p.duplicate_threshold;
    linkage["seed"] = p.linkage_seed;
    linkage["em_iterations"] = p.em_iterations;
    linkage["em_converged"] = p.em_converged;
    linkage["links"] = p.links;
  }
  json provenance{{"batches", batches},
                  {"linkage", linkage},
                  {"seed", e.seed},
                  {"software_version", e.software_version},
                  {"published_on", e.published_on},
                  {"criterion", e.criterion},
                  {"bootstrap", e.bootstrap}};
  if (!p.table_file.empty()) provenance["table_file"] = {{"name", p.table_file}, {"sha256", p.table_file_sha256}};
  return {{"id", e.id},
          {"year", e.year},
          {"mandate", e.mandate},
          {"role", e.role},
          {"by", e.by},
          {"method", e.method},
          {"method_description", e.method_description},
          {"national", figure_json(e.national)},
          {"strata", strata},
          {"sum_of_strata", e.sum_of_strata},
          {"models", models},
          {"model_count", e.model_count},
          {"other_weight", e.other_weight},
          {"warnings", warnings},
          {"provenance", provenance},
          {"href", "/api/v1/estimates/" + e.id},
          {"page", "/schattingen/" + e.id}};
}

Result<PublishedEstimate> from_json_value(const json& j) {
  if (!j.is_object() || !j.contains("id") || !j.contains("national")) {
    return fail(ErrorCode::kInternal, "a published estimate lacks its id or national figure");
  }
  PublishedEstimate e;
  e.id = j.value("id", "");
  e.year = j.value("year", 0);
  e.mandate = j.value("mandate", "");
  e.role = j.value("role", "");
  e.by = j.value("by", "");
  e.method = j.value("method", "");
  e.method_description = j.value("method_description", "");
  e.national = figure_from(j["national"]);
  for (const auto& s : j.value("strata", json::array())) e.strata.push_back(figure_from(s));
  e.sum_of_strata = j.value("sum_of_strata", 0.0);
  for (const auto& m : j.value("models", json::array())) {
    e.models.push_back({m.value("terms", ""), m.value("weight", 0.0), m.value("total", 0.0)});
  }
  e.model_count = j.value("model_count", static_cast<int>(e.models.size()));
  e.other_weight = j.value("other_weight", 0.0);
  for (const auto& w : j.value("warnings", json::array())) {
    e.warnings.push_back(
        {w.value("code", "other"), w.value("values", std::vector<std::string>{}), w.value("text", "")});
  }
  const json p = j.value("provenance", json::object());
  for (const auto& b : p.value("batches", json::array())) {
    e.provenance.batches.push_back({b.value("id", std::int64_t{0}), b.value("source", ""), b.value("file_sha256", ""),
                                    b.value("rows_loaded", std::int64_t{0}), b.value("loaded_at", "")});
  }
  const json l = p.value("linkage", json::object());
  e.provenance.linkage_method = l.value("method", "");
  e.provenance.linkage_note = l.value("note", "");
  e.provenance.registrations = l.value("registrations", std::int64_t{0});
  e.provenance.persons = l.value("persons", std::int64_t{0});
  e.provenance.match_threshold = l.value("match_threshold", 0.0);
  e.provenance.cluster_support = l.value("cluster_support", 0.0);
  e.provenance.duplicate_threshold = l.value("duplicate_threshold", 0.0);
  e.provenance.linkage_seed = l.value("seed", std::uint64_t{0});
  e.provenance.em_iterations = l.value("em_iterations", 0);
  e.provenance.em_converged = l.value("em_converged", false);
  e.provenance.links = l.value("links", std::int64_t{0});
  if (p.contains("table_file")) {
    e.provenance.table_file = p["table_file"].value("name", "");
    e.provenance.table_file_sha256 = p["table_file"].value("sha256", "");
  }
  e.seed = p.value("seed", std::uint64_t{0});
  e.software_version = p.value("software_version", "");
  e.published_on = p.value("published_on", "");
  e.criterion = p.value("criterion", "");
  e.bootstrap = p.value("bootstrap", 0);
  return e;
}

Result<std::vector<PublishedEstimate>> parse_document(const std::optional<std::string>& text) {
  std::vector<PublishedEstimate> estimates;
  if (!text) return estimates;
  const json document = json::parse(*text, nullptr, false);
  if (document.is_discarded() || !document.is_object() || !document.contains("estimates")) {
    return fail(ErrorCode::kInternal, fmt::format("{} of the served release is not a list of estimates", kDocument));
  }
  for (const auto& entry : document["estimates"]) {
    ASSIGN_OR_RETURN(auto e, from_json_value(entry));
    estimates.push_back(std::move(e));
  }
  std::sort(estimates.begin(), estimates.end(), [](const PublishedEstimate& a, const PublishedEstimate& b) {
    return a.year != b.year ? a.year > b.year : a.id < b.id;
  });
  return estimates;
}

}  // namespace

std::string_view to_code(EstimateMethod method) {
  switch (method) {
    case EstimateMethod::kRecommended:
      return "recommended";
    case EstimateMethod::kSelected:
      return "selected";
    case EstimateMethod::kLatentClass:
      return "latent-class";
  }
  return "recommended";
}

Result<EstimateMethod> parse_estimate_method(std::string_view code) {
  for (const auto method : {EstimateMethod::kRecommended, EstimateMethod::kSelected, EstimateMethod::kLatentClass}) {
    if (code == to_code(method)) return method;
  }
  return fail(ErrorCode::kInvalidArgument,
              fmt::format("unknown estimate method '{}': use recommended, selected or latent-class", code));
}

Result<PublishedEstimate> make_published_estimate(const EstimateReport& report, EstimateMethod method) {
  if (report.joint)
    return fail(ErrorCode::kInvalidArgument, "a joint model over strata is not published; estimate per stratum");
  if (report.strata.empty()) return fail(ErrorCode::kInvalidArgument, "the estimate has no stratum");
  const EstimateRequest& request = report.request;
  const StratumEstimate& whole = report.national ? *report.national : report.strata.front();
  PublishedEstimate e;
  e.id = id_of(request);
  e.year = request.year;
  e.mandate = request.mandate;
  e.role = request.role;
  e.by = request.by;
  e.method = std::string(to_code(method));
  e.criterion = request.selection.criterion == mse::Criterion::kAic ? "aic" : "bic";
  e.bootstrap = request.selection.bootstrap;
  e.seed = request.selection.seed;
  e.provenance = report.provenance;
  e.national = figure_of(whole, method);
  e.national.stratum = "";
  if (!e.national.estimable) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("the {} estimate of the whole is not available: {}", to_code(method), e.national.reason));
  }
  if (report.national) {
    for (const auto& s : report.strata) {
      e.strata.push_back(figure_of(s, method));
      if (e.strata.back().estimable) e.sum_of_strata += e.strata.back().total;
    }
  }
  switch (method) {
    case EstimateMethod::kRecommended: {
      const auto& average = whole.recommended->average;
      e.method_description = fmt::format("AIC model average over {} log-linear models", average.models.size());
      // The average's models are over the lists that saw anyone, as the selection's table.
      e.model_count = static_cast<int>(average.models.size());
      for (const auto& m : average.models) {
        if (m.weight < 0.01 || e.models.size() >= 20) {
          e.other_weight += m.weight;
          continue;
        }
        e.models.push_back(
            {whole.estimate ? mse::describe(m.model, whole.estimate->table.lists) : "", m.weight, m.total});
      }
      break;
    }
    case EstimateMethod::kSelected: {
      const auto& search = whole.estimate->search;
      e.method_description = fmt::format("{} search by {}, profile-likelihood interval", search.procedure,
                                         e.criterion == "aic" ? "AIC" : "BIC");
      e.models.push_back(
          {mse::describe(search.models.front().model, whole.estimate->table.lists), 1.0, search.models.front().total});
      e.model_count = 1;
      break;
    }
    case EstimateMethod::kLatentClass: {
      const auto& lc = whole.recommended->latent_class.front();
      e.method_description = fmt::format(
          "latent class model (Manrique-Vallier 2016), {} chains, R-hat {:.2f}, {:.0f} "
          "effective draws",
          lc.chains.size(), lc.r_hat, lc.effective_sample_size);
      break;
    }
  }
  // The whole's warnings: the recommended estimate's (every method's) and the selection's,
  // each once.
  std::set<std::string> seen;
  const auto add = [&](const std::string& text) {
    if (!seen.insert(text).second) return;
    CodedWarning coded = code_warning(text);
    e.warnings.push_back({std::move(coded.code), std::move(coded.values), std::move(coded.text)});
  };
  if (whole.recommended) {
    for (const auto& w : whole.recommended->warnings) add(w);
  }
  if (whole.estimate) {
    for (const auto& w : whole.estimate->warnings) add(w);
  }
  return e;
}

Result<PublishedEstimate> publish_estimate(store::Store& store, const PublishEstimateRequest& request) {
  const auto digits = [&](std::size_t from, std::size_t count) {
    return std::all_of(request.date.begin() + static_cast<std::ptrdiff_t>(from),
                       request.date.begin() + static_cast<std::ptrdiff_t>(from + count),
                       [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!request.date.empty() && (request.date.size() != 10 || request.date[4] != '-' || request.date[7] != '-' ||
                                !digits(0, 4) || !digits(5, 2) || !digits(8, 2))) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("publication date '{}' is not YYYY-MM-DD", request.date));
  }
  EstimateRequest estimate_request = request.estimate;
  if (request.method == EstimateMethod::kLatentClass) estimate_request.latent_class = mse::LatentClassRun::kRun;
  ASSIGN_OR_RETURN(const EstimateReport report, estimate(&store, estimate_request));
  ASSIGN_OR_RETURN(PublishedEstimate published, make_published_estimate(report, request.method));
  RETURN_IF_ERROR(adopt_published_folder(store, request.folder, request.actor));
  published.software_version = RAPPORTEUR_VERSION;
  published.published_on = request.date.empty() ? utc_today() : request.date;
  published.published_by = request.actor;
  // The release and its record in the audit log are one transaction.
  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const tables::Release release,
                     tables::change_document(
                         store, kDocument, [&](const std::optional<std::string>& previous) -> Result<std::string> {
                           ASSIGN_OR_RETURN(auto estimates, parse_document(previous));
                           std::erase_if(estimates, [&](const PublishedEstimate& e) { return e.id == published.id; });
                           estimates.push_back(published);
                           json list = json::array();
                           for (const auto& e : estimates) list.push_back(to_json_value(e));
                           return json{{"estimates", list}}.dump(2) + '\n';
                         }));
    published.release = release.id;
    crash_point();
    return store.audit(
        {utc_now_iso(), request.actor, kAction,
         fmt::format("release {}: estimate {} ({}, {:.0f}, {:.0f} to {:.0f})", release.id, published.id,
                     published.method, published.national.total, published.national.low, published.national.high)});
  }));
  crash_point();  // Served, the folder's copy not yet updated: the next publication updates it.
  published.warning = mirror_published_folder(store, request.folder);
  return published;
}

Result<std::vector<PublishedEstimate>> published_estimates(store::FileStore& store) {
  ASSIGN_OR_RETURN(const auto document, tables::read_served_document(store, kDocument));
  return parse_document(document);
}

std::string to_json(const PublishedEstimate& estimate) { return to_json_value(estimate).dump(2) + '\n'; }

Result<PublishedEstimate> published_estimate_from_json(std::string_view text) {
  const json parsed = json::parse(text, nullptr, false);
  if (parsed.is_discarded()) return fail(ErrorCode::kInvalidArgument, "a published estimate is not JSON");
  return from_json_value(parsed);
}

}  // namespace rapporteur::app
