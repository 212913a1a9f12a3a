// Public routes: home, figures, the JSON API, search, publications and recommendations.
#include <set>

#include "web/internal/server_impl.h"

namespace rapporteur::web {

using nlohmann::json;

void Server::Impl::declare_routes() {
  route("GET", "/healthz", Access::kPublic, [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, {{"status", "ok"}, {"schema_version", store.schema_version()}});
  });

  route("GET", "/", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = request_language(req);
    auto sources = store.sources();
    auto publications = store.publication_list();
    if (!sources || !publications) {
      send_store_error(req, res, !sources ? sources.error() : publications.error());
      return;
    }
    // Key figures: per mandate, the first published table of victims by year, at its totals.
    std::vector<internal::KeyFigure> figures;
    std::set<std::string> mandates;
    for (const std::string& name : published_table_names()) {
      auto table = published_table(name);
      if (!table) continue;
      const internal::PublishedTable& t = **table;
      const auto year = t.dimension("year");
      if (t.role != "victim" || !year || !mandates.insert(t.mandate).second) continue;
      internal::KeyFigure figure{t.name, "", "", {}};
      if (t.mandate == "human_trafficking") {
        figure.title_nl = "geregistreerde slachtoffers van mensenhandel";
        figure.title_en = "registered victims of human trafficking";
      } else {
        figure.title_nl = "geregistreerde slachtoffers van seksueel geweld tegen kinderen";
        figure.title_en = "registered victims of sexual violence against children";
      }
      std::vector<std::string> key;
      for (const auto& d : t.dimensions) key.push_back(d.codes[0].code);
      for (const auto& code : t.dimensions[*year].codes) {
        if (code.depth != 1) continue;
        key[*year] = code.code;
        const auto cell = t.cells.find(key);
        figure.years.emplace_back(code.code, cell == t.cells.end() ? std::nullopt : cell->second.value);
      }
      figures.push_back(std::move(figure));
    }
    const bool chart = internal::embedded_assets().count("/vendor/echarts.min.js") > 0;
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    res.set_content(internal::render_home(language, *sources, *publications, figures, chart),
                    "text/html; charset=utf-8");
  });

  declare_figure_routes();

  route("GET", R"(/static/([A-Za-z0-9_.\-/]+))", Access::kPublic,
        [](const httplib::Request& req, httplib::Response& res) {
          const auto& assets = internal::embedded_assets();
          const auto asset = assets.find("/" + std::string(req.matches[1]));
          if (asset == assets.end()) {
            send_error(req, res, 404, "not_found", "not found");
            return;
          }
          const std::string etag = etag_for(asset->second);
          res.set_header("ETag", etag);
          res.set_header("Cache-Control", "public, max-age=86400");
          if (req.get_header_value("If-None-Match") == etag) {
            res.status = 304;
            return;
          }
          res.set_content(std::string(asset->second), std::string(content_type_for(asset->first)));
        });

  route("GET", "/api/v1", Access::kPublic, [this](const httplib::Request&, httplib::Response& res) {
    json endpoints = json::array();
    for (const RouteInfo& r : routes) {
      // The public index lists only what the public may use; staff endpoints are in no public document.
      if (r.pattern.starts_with("/api/v1/") && r.access == Access::kPublic) {
        endpoints.push_back({{"method", r.method}, {"path", r.pattern}, {"access", "public"}});
      }
    }
    send_json(res, {{"name", "rapporteur"},
                    {"api_version", 1},
                    {"schema_version", store.schema_version()},
                    {"endpoints", endpoints}});
  });

  route("GET", "/api/v1/sources", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    auto sources = store.sources();
    if (!sources) return send_store_error(req, res, sources.error());
    json body = json::array();
    for (const Source& s : *sources) {
      body.push_back({{"code", s.code}, {"name", s.name}, {"kind", to_code(s.kind)}});
    }
    send_json(res, {{"sources", body}});
  });

  route("GET", "/api/v1/regions", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    auto regions = store.regions();
    if (!regions) return send_store_error(req, res, regions.error());
    json body = json::array();
    for (const Region& r : *regions) {
      body.push_back({{"code", r.code},
                      {"name", r.name},
                      {"level", to_code(r.level)},
                      {"parent", r.parent_code ? json(*r.parent_code) : json(nullptr)}});
    }
    send_json(res, {{"regions", body}});
  });

  route("GET", "/api/v1/publications", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    auto publications = store.publication_list();
    if (!publications) return send_store_error(req, res, publications.error());
    json body = json::array();
    for (const Publication& p : *publications) body.push_back(publication_json(p, /*with_body=*/false));
    send_json(res, {{"publications", body}});
  });
  route("GET", R"(/api/v1/publications/([a-z0-9\-]+))", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          auto publication = store.publication(req.matches[1]);
          if (!publication) {
            if (publication.error().code == ErrorCode::kNotFound) {
              return send_error(req, res, 404, "not_found", "no such publication");
            }
            return send_store_error(req, res, publication.error());
          }
          auto recommendations = store.recommendations();
          if (!recommendations) return send_store_error(req, res, recommendations.error());
          json body = publication_json(*publication, /*with_body=*/true);
          json recs = json::array();
          for (const auto& r : *recommendations) {
            if (r.publication_slug == publication->slug) recs.push_back(recommendation_json(r));
          }
          body["recommendations"] = recs;
          send_json(res, body);
        });

  route("GET", "/api/v1/recommendations", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    auto recommendations = store.recommendations();
    if (!recommendations) return send_store_error(req, res, recommendations.error());
    json body = json::array();
    for (const Recommendation& r : *recommendations) body.push_back(recommendation_json(r));
    const auto overview = kb::summarise(*recommendations);
    send_json(res, {{"recommendations", body}, {"overview", json::parse(kb::to_json(overview))}});
  });

  route("GET", "/api/v1/search", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    if (options.knowledge_base == nullptr) return send_error(req, res, 503, "unavailable", "no knowledge base");
    auto query = search_query(req, /*page_size=*/0);
    if (!query) return send_error(req, res, 400, "bad_request", query.error().message);
    catch_up_search_index();
    auto result = options.knowledge_base->search(*query);
    if (!result) {
      if (result.error().code == ErrorCode::kInvalidArgument) {
        return send_error(req, res, 400, "bad_request", result.error().message);
      }
      return send_store_error(req, res, result.error());
    }
    res.status = 200;
    res.set_content(kb::to_json(*result), "application/json; charset=utf-8");
  });

  route("GET", "/api/v1/openapi.json", Access::kPublic, [](const httplib::Request& req, httplib::Response& res) {
    const auto& assets = internal::embedded_assets();
    const auto found = assets.find("/openapi.json");
    if (found == assets.end()) return send_error(req, res, 404, "not_found", "not found");
    res.set_content(std::string(found->second), "application/json; charset=utf-8");
  });

  route("GET", "/open-data", Access::kPublic, [](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = request_language(req);
    const auto& assets = internal::embedded_assets();
    const auto found = assets.find("/openapi.json");
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    res.set_content(
        internal::render_open_data(language, found == assets.end() ? std::string_view("{}") : found->second),
        "text/html; charset=utf-8");
  });

  route("GET", "/open-data/viewer", Access::kPublic, [](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = request_language(req);
    const bool available = internal::embedded_assets().count("/vendor/swagger-ui-bundle.js") > 0;
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    res.set_content(internal::render_open_data_viewer(language, available), "text/html; charset=utf-8");
  });

  route("GET", "/zoeken", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = request_language(req);
    constexpr int kPageSize = 10;
    internal::Parameters parameters;
    for (const char* name : {"q", "type", "year", "theme", "form", "status", "language", "sort", "page", "lang"}) {
      if (req.has_param(name) && !req.get_param_value(name).empty())
        parameters.emplace_back(name, req.get_param_value(name));
    }
    const bool fragment = req.get_param_value("partial") == "1";
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    if (options.knowledge_base == nullptr) {
      res.status = 503;
      res.set_content(internal::render_search(language, parameters, nullptr, "De kennisbank is niet beschikbaar.",
                                              kPageSize, fragment),
                      "text/html; charset=utf-8");
      return;
    }
    auto query = search_query(req, kPageSize);
    catch_up_search_index();
    Result<kb::SearchResult> result =
        query ? options.knowledge_base->search(*query) : Result<kb::SearchResult>(tl::unexpected(query.error()));
    if (!result && result.error().code != ErrorCode::kInvalidArgument)
      return send_store_error(req, res, result.error());
    res.status = result ? 200 : 400;
    res.set_content(internal::render_search(language, parameters, result ? &*result : nullptr,
                                            result ? "" : result.error().message, kPageSize, fragment),
                    "text/html; charset=utf-8");
  });

  route("GET", R"(/publicaties/([a-z0-9\-]+))", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          const internal::Language language = request_language(req);
          auto publication = store.publication(req.matches[1]);
          if (!publication) {
            if (publication.error().code == ErrorCode::kNotFound)
              return send_error(req, res, 404, "not_found", "no such publication");
            return send_store_error(req, res, publication.error());
          }
          auto recommendations = store.recommendations();
          if (!recommendations) return send_store_error(req, res, recommendations.error());
          // The tables it reports on that are published now, by their titles.
          std::vector<std::pair<std::string, std::string>> tables;
          for (const std::string& name : publication->tables) {
            const auto table = published_table(name);
            if (!table) continue;
            const std::string& title = language == internal::Language::kDutch ? (*table)->title : (*table)->title_en;
            tables.emplace_back(name, title.empty() ? name : title);
          }
          res.set_content(internal::render_publication(language, *publication, *recommendations, tables),
                          "text/html; charset=utf-8");
        });
  route("GET", R"(/publicaties/([a-z0-9\-]+)/bestand)", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          auto publication = store.publication(req.matches[1]);
          if (!publication || publication->file_sha256.empty() || options.knowledge_base == nullptr) {
            if (publication || publication.error().code == ErrorCode::kNotFound) {
              return send_error(req, res, 404, "not_found", "no such file");
            }
            return send_store_error(req, res, publication.error());
          }
          auto bytes = options.knowledge_base->file(publication->file_sha256);
          if (!bytes) {
            if (bytes.error().code == ErrorCode::kNotFound)
              return send_error(req, res, 404, "not_found", "no such file");
            return send_store_error(req, res, bytes.error());
          }
          std::string safe_name;
          for (const char c : publication->file_name) {
            safe_name += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
          }
          res.set_header("Content-Disposition", "attachment; filename=\"" + safe_name + "\"");
          res.set_header("Cache-Control", "public, max-age=86400");
          res.set_content(std::move(*bytes), publication->media_type.starts_with("text/")
                                                 ? publication->media_type + "; charset=utf-8"
                                                 : publication->media_type);
        });
  route("GET", "/aanbevelingen", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = request_language(req);
    auto recommendations = store.recommendations();
    auto publications = store.publication_list();
    if (!recommendations || !publications) {
      return send_store_error(req, res, !recommendations ? recommendations.error() : publications.error());
    }
    internal::Parameters parameters;
    for (const char* name : {"status", "addressee", "year"}) {
      if (req.has_param(name)) parameters.emplace_back(name, req.get_param_value(name));
    }
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    res.set_content(internal::render_recommendations(language, *recommendations, *publications, parameters),
                    "text/html; charset=utf-8");
  });
  route("GET", R"(/aanbevelingen/([a-z0-9\-]+)/([0-9]{1,6}))", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          const internal::Language language = request_language(req);
          const std::string slug = req.matches[1];
          const int number = std::stoi(req.matches[2]);
          auto recommendations = store.recommendations();
          if (!recommendations) return send_store_error(req, res, recommendations.error());
          const auto found = std::find_if(recommendations->begin(), recommendations->end(), [&](const auto& r) {
            return r.publication_slug == slug && r.number == number;
          });
          auto publication = store.publication(slug);
          if (found == recommendations->end() || !publication) {
            return send_error(req, res, 404, "not_found", "no such recommendation");
          }
          res.set_content(internal::render_recommendation(language, *found, *publication), "text/html; charset=utf-8");
        });

  // Unprotected counts come from microdata: staff only until disclosure control (#5).
  route("GET", "/api/v1/registrations/counts", Access::kResearcher,
        [this](const httplib::Request& req, httplib::Response& res) {
          auto counts = store.registration_counts();
          if (!counts) return send_store_error(req, res, counts.error());
          json body = json::array();
          for (const auto& c : *counts) {
            body.push_back({{"year", c.year},
                            {"mandate", to_code(c.mandate)},
                            {"role", to_code(c.role)},
                            {"registrations", c.registrations},
                            {"persons", c.persons}});
          }
          send_json(res, {{"counts", body}});
        });
}

}  // namespace rapporteur::web
