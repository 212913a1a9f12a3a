// Staff API for linkage: the export of person ids by each source's record reference
// (app::export_person_ids), for researchers, as a CSV download. The linkage runs while the
// request waits (seconds for a year of the demo).
#include <charconv>

#include "app/linkage_export.h"
#include "web/internal/server_impl.h"

namespace rapporteur::web {
namespace {

// The request's export, from its query: year (required, 1990..2100), mandate, role and method
// (each defaulting as the CLI does), source (optional). Fails with kInvalidArgument naming the
// parameter and what it expects.
Result<app::PersonIdExportRequest> export_request(const httplib::Request& req) {
  app::PersonIdExportRequest request;
  const std::string year = req.get_param_value("year");
  const auto [end, ec] = std::from_chars(year.data(), year.data() + year.size(), request.year);
  if (year.empty() || ec != std::errc() || end != year.data() + year.size() || request.year < 1990 ||
      request.year > 2100) {
    return fail(ErrorCode::kInvalidArgument, "parameter 'year': expected a year from 1990 to 2100");
  }
  if (req.has_param("mandate")) request.mandate = req.get_param_value("mandate");
  if (req.has_param("role")) request.role = req.get_param_value("role");
  if (req.has_param("method")) {
    ASSIGN_OR_RETURN(request.method, app::parse_linkage_method(req.get_param_value("method")));
  }
  if (const std::string source = req.get_param_value("source"); !source.empty()) request.source = source;
  return request;
}

}  // namespace

void Server::Impl::declare_linkage_routes() {
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
