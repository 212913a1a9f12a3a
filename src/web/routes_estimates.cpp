// Estimate routes: the public pages and API of published estimates (only what a researcher
// published, read from the release being served), and the staff form that publishes one.
#include "app/published_estimate.h"
#include "web/internal/estimate_text.h"
#include "web/internal/server_impl.h"

namespace rapporteur::web {

using nlohmann::json;

void Server::Impl::declare_estimate_routes() {
  // The published estimates of the release the store serves.
  const auto published = [this]() -> Result<std::vector<app::PublishedEstimate>> {
    return app::published_estimates(store);
  };
  const auto find = [published](const std::string& id) -> Result<std::optional<app::PublishedEstimate>> {
    ASSIGN_OR_RETURN(auto estimates, published());
    for (auto& e : estimates) {
      if (e.id == id) return std::optional(std::move(e));
    }
    return std::optional<app::PublishedEstimate>();
  };

  route("GET", "/schattingen", Access::kPublic, [published](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = request_language(req);
    auto estimates = published();
    if (!estimates) return send_store_error(req, res, estimates.error());
    const bool chart = internal::embedded_assets().count("/vendor/echarts.min.js") > 0;
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    res.set_content(internal::render_estimates(language, *estimates, chart), "text/html; charset=utf-8");
  });
  route("GET", R"(/schattingen/([a-z0-9\-]+))", Access::kPublic,
        [find](const httplib::Request& req, httplib::Response& res) {
          const internal::Language language = request_language(req);
          auto found = find(req.matches[1]);
          if (!found) return send_store_error(req, res, found.error());
          if (!*found) return send_error(req, res, 404, "not_found", "no such estimate");
          res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
          res.set_content(internal::render_estimate(language, **found), "text/html; charset=utf-8");
        });
  route("GET", "/api/v1/estimates", Access::kPublic, [published](const httplib::Request& req, httplib::Response& res) {
    auto estimates = published();
    if (!estimates) return send_store_error(req, res, estimates.error());
    json list = json::array();
    for (const auto& e : *estimates) list.push_back(json::parse(app::to_json(e)));
    send_json(res, {{"estimates", list}});
  });
  route("GET", R"(/api/v1/estimates/([a-z0-9\-]+))", Access::kPublic,
        [find](const httplib::Request& req, httplib::Response& res) {
          auto found = find(req.matches[1]);
          if (!found) return send_store_error(req, res, found.error());
          if (!*found) return send_error(req, res, 404, "not_found", "no such estimate");
          res.set_content(app::to_json(**found), "application/json; charset=utf-8");
        });

  // Publishing re-runs the estimate from the form's parameters (never from numbers a browser
  // sends) as a background job; the use case records it in the audit log.
  route("POST", "/staff/schattingen/publiceren", Access::kResearcher,
        [this](const httplib::Request& req, httplib::Response& res) {
          const std::string year = req.get_param_value("year");
          const std::string mandate = req.get_param_value("mandate");
          const std::string by = req.get_param_value("by");
          const std::string criterion = req.get_param_value("criterion");
          const std::string bootstrap = req.get_param_value("bootstrap");
          const auto method = app::parse_estimate_method(req.get_param_value("method"));
          const bool valid = year.size() == 4 && year.find_first_not_of("0123456789") == std::string::npos &&
                             (mandate == "human_trafficking" || mandate == "sexual_violence_against_children") &&
                             (by.empty() || by == "form" || by == "sex" || by == "age" || by == "region") &&
                             (criterion == "bic" || criterion == "aic") &&
                             (bootstrap == "0" || bootstrap == "200" || bootstrap == "1000") && method.has_value();
          if (!valid) return send_error(req, res, 400, "bad_request", "invalid estimate parameters");
          const auto id = queue_job("publish_estimate",
                                    fmt::format("Schatting publiceren: {} {}{} ({})", mandate, year,
                                                by.empty() ? "" : " naar " + by, app::to_code(*method)),
                                    {{"year", std::stoi(year)},
                                     {"mandate", mandate},
                                     {"by", by},
                                     {"criterion", criterion},
                                     {"bootstrap", std::stoi(bootstrap)},
                                     {"method", std::string(app::to_code(*method))},
                                     {"actor", current_viewer()->user.name}},
                                    "/schattingen", "Gepubliceerde schattingen");
          if (!id) return send_store_error(req, res, id.error());
          redirect(res, fmt::format("/staff/jobs/{}", *id));
        });
}

}  // namespace rapporteur::web
