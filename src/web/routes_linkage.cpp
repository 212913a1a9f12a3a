// Staff linkage for researchers: the page /staff/koppeling (a year's report and the people
// found again across years and roles), the export of person ids by each source's record
// reference (app::export_person_ids) as a CSV download, the people found again as JSON, and
// the clerical review of pairs near the threshold (app::list_review_pairs, app::decide_pair)
// as the page /staff/koppeling/beoordeling and as JSON.
// The linkage runs while the request waits (well under a second for a year of the demo).
#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/linkage_across.h"
#include "app/linkage_export.h"
#include "app/linkage_review.h"
#include "web/internal/server_impl.h"
#include "web/internal/staff_pages.h"

namespace rapporteur::web {
namespace {

// A year from 1990 to 2100 in `text`, or nothing.
std::optional<int> year_of(const std::string& text) {
  int year = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || year < 1990 || year > 2100) {
    return std::nullopt;
  }
  return year;
}

// The request's export, from its query: year (required, 1990..2100), mandate, role and method
// (each defaulting as the CLI does), source (optional). Fails with kInvalidArgument naming the
// parameter and what it expects.
Result<app::PersonIdExportRequest> export_request(const httplib::Request& req) {
  app::PersonIdExportRequest request;
  const auto year = year_of(req.get_param_value("year"));
  if (!year) return fail(ErrorCode::kInvalidArgument, "parameter 'year': expected a year from 1990 to 2100");
  request.year = *year;
  if (req.has_param("mandate")) request.mandate = req.get_param_value("mandate");
  if (req.has_param("role")) request.role = req.get_param_value("role");
  if (req.has_param("method")) {
    ASSIGN_OR_RETURN(request.method, app::parse_linkage_method(req.get_param_value("method")));
  }
  if (const std::string source = req.get_param_value("source"); !source.empty()) request.source = source;
  return request;
}

// The request's range for the people found again: first_year and last_year (required), mandate
// and method (defaulting as the CLI does). Fails with kInvalidArgument naming the parameter.
Result<app::CrossLinkRequest> across_request(const httplib::Request& req) {
  app::CrossLinkRequest request;
  const auto first = year_of(req.get_param_value("first_year"));
  const auto last = year_of(req.get_param_value("last_year"));
  if (!first) return fail(ErrorCode::kInvalidArgument, "parameter 'first_year': expected a year from 1990 to 2100");
  if (!last) return fail(ErrorCode::kInvalidArgument, "parameter 'last_year': expected a year from 1990 to 2100");
  request.first_year = *first;
  request.last_year = *last;
  if (req.has_param("mandate")) request.mandate = req.get_param_value("mandate");
  if (req.has_param("method")) {
    ASSIGN_OR_RETURN(request.method, app::parse_linkage_method(req.get_param_value("method")));
  }
  return request;
}

// The review's selection from the request: year (required, 1990..2100), mandate and role
// (defaulting as the CLI does), limit (1..500, default 50), the band's from and to (match
// probabilities in [0, 1], default 0.1 and 0.9). Fails with kInvalidArgument naming the
// parameter.
Result<app::ReviewRequest> review_request(const httplib::Request& req) {
  app::ReviewRequest request;
  const auto year = year_of(req.get_param_value("year"));
  if (!year) return fail(ErrorCode::kInvalidArgument, "parameter 'year': expected a year from 1990 to 2100");
  request.year = *year;
  if (req.has_param("mandate")) request.mandate = req.get_param_value("mandate");
  if (req.has_param("role")) request.role = req.get_param_value("role");
  request.limit = 50;
  if (const std::string limit = req.get_param_value("limit"); !limit.empty()) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(limit.data(), limit.data() + limit.size(), n);
    if (ec != std::errc() || end != limit.data() + limit.size() || n < 1 || n > 500) {
      return fail(ErrorCode::kInvalidArgument, "parameter 'limit': expected a number from 1 to 500");
    }
    request.limit = n;
  }
  for (const auto& [name, bound] : {std::pair{"from", &request.band.from}, std::pair{"to", &request.band.to}}) {
    const std::string text = req.get_param_value(name);
    if (text.empty()) continue;
    double value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || !(value >= 0 && value <= 1)) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("parameter '{}': expected a match probability from 0 to 1", name));
    }
    *bound = value;
  }
  return request;
}

}  // namespace

void Server::Impl::declare_linkage_routes() {
  const auto& lang = request_language;
  route("GET", "/staff/koppeling", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto counts = store.registration_counts();
    if (!counts) return send_store_error(req, res, counts.error());
    std::vector<int> years;
    for (const auto& c : *counts) {
      if (years.empty() || years.back() != c.year) years.push_back(c.year);
    }
    internal::LinkageForm form;
    form.year = form_value(req, "year");
    form.first_year = form_value(req, "first_year");
    form.last_year = form_value(req, "last_year");
    if (req.has_param("mandate")) form.mandate = form_value(req, "mandate");
    if (req.has_param("role")) form.role = form_value(req, "role");
    if (req.has_param("method")) form.method = form_value(req, "method");
    internal::LinkageOutcome outcome;
    std::optional<app::LinkageReport> report;
    std::optional<app::CrossLinkReport> across;
    const auto refuse = [&](const Error& error) {
      if (error.code != ErrorCode::kInvalidArgument && error.code != ErrorCode::kNotFound) return false;
      outcome.error = error.message;
      res.status = error.code == ErrorCode::kNotFound ? 404 : 400;
      return true;
    };
    if (!form.year.empty()) {
      const auto year = year_of(form.year);
      auto method = app::parse_linkage_method(form.method);
      if (!year) {
        outcome.error = "year: expected a year from 1990 to 2100";
        res.status = 400;
      } else if (!method) {
        refuse(method.error());
      } else if (auto run = app::run_linkage(
                     store, {.year = *year, .mandate = form.mandate, .role = form.role, .method = *method});
                 run) {
        report = app::report_linkage(*run);
        outcome.report = &*report;
      } else if (!refuse(run.error())) {
        return send_store_error(req, res, run.error());
      }
    } else if (!form.first_year.empty() || !form.last_year.empty()) {
      if (auto request = across_request(req); !request) {
        refuse(request.error());
      } else if (auto found = app::link_across(store, *request); found) {
        across = std::move(*found);
        outcome.across = &*across;
      } else if (!refuse(found.error())) {
        return send_store_error(req, res, found.error());
      }
    }
    res.set_content(internal::render_linkage(lang(req), staff_viewer(), years, form, outcome),
                    "text/html; charset=utf-8");
  });

  // The clerical review: a GET form chooses the year, each pair has a POST form of its own; a
  // decision returns to the same list (303) with a notice.
  route("GET", "/staff/koppeling/beoordeling", Access::kResearcher,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          auto counts = store.registration_counts();
          if (!counts) return send_store_error(req, res, counts.error());
          std::vector<int> years;
          for (const auto& c : *counts) {
            if (years.empty() || years.back() != c.year) years.push_back(c.year);
          }
          internal::LinkageForm form;
          form.year = form_value(req, "year");
          if (req.has_param("mandate")) form.mandate = form_value(req, "mandate");
          if (req.has_param("role")) form.role = form_value(req, "role");
          if (req.has_param("limit")) form.limit = form_value(req, "limit");
          if (req.has_param("from")) form.from = form_value(req, "from");
          if (req.has_param("to")) form.to = form_value(req, "to");
          internal::ReviewOutcome outcome;
          // Only a well-formed pair reference is named in the notice.
          if (const auto saved = app::parse_pair_reference(form_value(req, "saved")); saved) {
            outcome.saved = app::to_reference(*saved);
          }
          std::optional<app::ReviewList> list;
          if (!form.year.empty()) {
            const auto request = review_request(req);
            Result<app::ReviewList> listed =
                request ? app::list_review_pairs(store, *request) : fail(request.error().code, request.error().message);
            if (listed) {
              list = std::move(*listed);
              outcome.list = &*list;
            } else if (listed.error().code == ErrorCode::kInvalidArgument) {
              outcome.error = listed.error().message;
              res.status = 400;
            } else {
              return send_store_error(req, res, listed.error());
            }
          }
          res.set_content(internal::render_linkage_review(lang(req), staff_viewer(), years, form, outcome),
                          "text/html; charset=utf-8");
        });

  // A decision on a pair as the page's form and the API post it: the pair and the decision from
  // the form, the scope from `request`, the signed-in user as the clerk.
  const auto decide = [this](const httplib::Request& req, const app::ReviewRequest& request) {
    return app::decide_pair(store, {.year = request.year,
                                    .mandate = request.mandate,
                                    .role = request.role,
                                    .pair = form_value(req, "pair"),
                                    .decision = form_value(req, "decision"),
                                    .user = current_viewer()->user.name});
  };
  route("POST", "/staff/koppeling/beoordeling", Access::kResearcher,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto request = review_request(req);
          if (!request) return send_error(req, res, 400, "invalid_argument", request.error().message);
          const auto decided = decide(req, *request);
          if (!decided) {
            return send_refusal(req, res, decided.error(), {ErrorCode::kInvalidArgument, ErrorCode::kNotFound});
          }
          const std::string pair = app::to_reference({decided->first, decided->second});
          redirect(
              res,
              fmt::format(
                  "/staff/koppeling/beoordeling?year={}&mandate={}&role={}&limit={}&from={:g}&to={:g}&saved={}#pair-{}",
                  request->year, internal::url_encode(request->mandate), internal::url_encode(request->role),
                  request->limit, request->band.from, request->band.to, pair, pair));
        });

  route("GET", "/api/v1/staff/linkage/review", Access::kResearcher,
        [this](const httplib::Request& req, httplib::Response& res) {
          const auto request = review_request(req);
          if (!request) return send_error(req, res, 400, "invalid_argument", request.error().message);
          const auto list = app::list_review_pairs(store, *request);
          if (!list) return send_refusal(req, res, list.error(), {ErrorCode::kInvalidArgument});
          res.set_content(app::to_json(*list), "application/json; charset=utf-8");
        });

  route("POST", "/api/v1/staff/linkage/review", Access::kResearcher,
        [decide](const httplib::Request& req, httplib::Response& res) {
          const auto request = review_request(req);
          if (!request) return send_error(req, res, 400, "invalid_argument", request.error().message);
          const auto decided = decide(req, *request);
          if (!decided) {
            return send_refusal(req, res, decided.error(), {ErrorCode::kInvalidArgument, ErrorCode::kNotFound});
          }
          const nlohmann::json body = {{"pair", app::to_reference({decided->first, decided->second})},
                                       {"decision", store::to_code(decided->decision)},
                                       {"user", decided->user_name},
                                       {"decided_at", decided->decided_at}};
          res.set_content(body.dump(), "application/json; charset=utf-8");
        });

  route("GET", "/api/v1/staff/linkage/across", Access::kResearcher,
        [this](const httplib::Request& req, httplib::Response& res) {
          auto request = across_request(req);
          if (!request) return send_error(req, res, 400, "invalid_argument", request.error().message);
          // format=csv: every record of the mandate with its lasting person id (a kKeep run,
          // which stores the ids, as `linkage across --keep-ids` does), audited as an export.
          const std::string format = req.get_param_value("format");
          if (!format.empty() && format != "json" && format != "csv") {
            return send_error(req, res, 400, "invalid_argument", "parameter 'format': expected json or csv");
          }
          if (format == "csv" || req.get_param_value("keep_ids") == "1") request->person_ids = app::PersonIdUse::kKeep;
          const auto found = app::link_across(store, *request);
          if (!found) {
            return send_refusal(req, res, found.error(), {ErrorCode::kInvalidArgument, ErrorCode::kNotFound});
          }
          if (format == "csv") {
            audit("linkage_export", fmt::format("{} lasting ids: {} rows", request->mandate, found->records.size()));
            res.set_header("Content-Disposition",
                           fmt::format("attachment; filename=\"lasting-person-ids-{}.csv\"", request->mandate));
            return res.set_content(app::records_csv(*found), "text/csv; charset=utf-8");
          }
          res.set_content(app::to_json(*found), "application/json; charset=utf-8");
        });

  route("GET", "/api/v1/staff/linkage/export", Access::kResearcher,
        [this](const httplib::Request& req, httplib::Response& res) {
          const auto request = export_request(req);
          if (!request) return send_error(req, res, 400, "invalid_argument", request.error().message);
          const auto exported = app::export_person_ids(store, *request);
          if (!exported) return send_refusal(req, res, exported.error(), {ErrorCode::kInvalidArgument});
          audit("linkage_export", fmt::format("{} {} {} {}: {} rows", request->year, request->mandate, request->role,
                                              request->source.value_or("all sources"), exported->rows.size()));
          const std::string name = fmt::format("person-ids-{}-{}{}.csv", request->year, request->role,
                                               request->source ? "-" + *request->source : std::string());
          res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", name));
          res.set_header("X-Rows-Without-Record-Id", std::to_string(exported->without_record_id));
          res.set_content(app::to_csv(*exported), "text/csv; charset=utf-8");
        });
}

}  // namespace rapporteur::web
