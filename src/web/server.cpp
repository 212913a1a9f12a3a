// The HTTP adapter: cpp-httplib stays inside this file.
#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <chrono>
#include <functional>
#include <map>
#include <thread>
#include <string_view>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "kb/kb.h"
#include "web/internal/pages.h"
#include "web/web.h"

namespace rapporteur::web {

namespace internal {
const std::map<std::string, std::string_view>& embedded_assets();
}  // namespace internal

namespace {

using nlohmann::json;

constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

std::string_view content_type_for(std::string_view path) {
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".svg")) return "image/svg+xml";
  if (path.ends_with(".png")) return "image/png";
  if (path.ends_with(".txt")) return "text/plain; charset=utf-8";
  if (path.ends_with(".json")) return "application/json; charset=utf-8";
  if (path.ends_with(".woff2")) return "font/woff2";
  return "application/octet-stream";
}

// FNV-1a over the asset's bytes: a stable validator for conditional requests.
std::string etag_for(std::string_view bytes) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const unsigned char c : bytes) {
    hash = (hash ^ c) * 1099511628211ULL;
  }
  return fmt::format("\"{:016x}\"", hash);
}

void send_json(httplib::Response& res, const json& body, int status = 200) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void send_error(const httplib::Request& req, httplib::Response& res, int status,
                std::string_view code, std::string_view message) {
  if (req.path.starts_with("/api/")) {
    send_json(res, {{"error", {{"code", code}, {"message", message}}}}, status);
  } else {
    res.status = status;
    res.set_content(internal::render_error_page(internal::language_of(req.get_param_value("lang")),
                                                status, message),
                    "text/html; charset=utf-8");
  }
}

// Store failures reach the log in full and the client as a generic message.
void send_store_error(const httplib::Request& req, httplib::Response& res, const Error& error) {
  spdlog::error("{} {}: {}", req.method, req.path, error.message);
  send_error(req, res, 500, "internal", "internal error");
}

json publication_json(const Publication& p, bool with_body) {
  json mandates = json::array();
  for (const Mandate m : p.mandates) mandates.push_back(to_code(m));
  json forms = json::array();
  for (const ExploitationForm f : p.forms) forms.push_back(to_code(f));
  json body{{"slug", p.slug},         {"title", p.title},       {"type", to_code(p.type)},
            {"date", p.date},         {"language", p.language}, {"mandates", mandates},
            {"forms", forms},         {"summary", p.summary},   {"href", "/api/v1/publications/" + p.slug},
            {"page", "/publicaties/" + p.slug}};
  body["file"] = p.file_sha256.empty() ? json(nullptr)
                                       : json{{"name", p.file_name}, {"media_type", p.media_type},
                                              {"sha256", p.file_sha256}, {"href", "/publicaties/" + p.slug + "/bestand"}};
  if (with_body) body["body"] = p.body;
  return body;
}

json recommendation_json(const Recommendation& r) {
  json history = json::array();
  for (const auto& e : r.history) {
    history.push_back({{"date", e.date}, {"status", e.status ? json(to_code(*e.status)) : json(nullptr)}, {"note", e.note}});
  }
  return {{"publication", r.publication_slug}, {"number", r.number}, {"text", r.text}, {"addressee", r.addressee},
          {"year", r.year}, {"status", to_code(r.status)}, {"history", history},
          {"page", fmt::format("/aanbevelingen/{}/{}", r.publication_slug, r.number)}};
}

// The search parameters of a request; page_size 0 reads offset/limit (API) instead of page.
Result<kb::SearchQuery> search_query(const httplib::Request& req, int page_size) {
  kb::SearchQuery query;
  query.text = req.get_param_value("q");
  if (query.text.size() > 500) return fail(ErrorCode::kInvalidArgument, "the query is longer than 500 characters");
  const auto optional = [&](const char* name) -> std::optional<std::string> {
    const std::string value = req.get_param_value(name);
    return value.empty() ? std::nullopt : std::optional<std::string>(value);
  };
  query.type = optional("type");
  query.theme = optional("theme");
  query.form = optional("form");
  query.status = optional("status");
  query.language = optional("language");
  const auto number = [&](const char* name, int low, int high, int fallback) -> Result<int> {
    const std::string value = req.get_param_value(name);
    if (value.empty()) return fallback;
    if (value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("{} '{}' is not a number", name, value));
    }
    const int parsed = std::stoi(value);
    if (parsed < low || parsed > high) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("{} {} is outside {}..{}", name, parsed, low, high));
    }
    return parsed;
  };
  if (req.has_param("year") && !req.get_param_value("year").empty()) {
    ASSIGN_OR_RETURN(const int year, number("year", 1990, 2100, 0));
    query.year = year;
  }
  const std::string sort = req.get_param_value("sort");
  if (!sort.empty() && sort != "relevance" && sort != "date") {
    return fail(ErrorCode::kInvalidArgument, fmt::format("sort '{}' is not relevance or date", sort));
  }
  query.sort = sort == "date" ? kb::SortOrder::kDate : kb::SortOrder::kRelevance;
  if (page_size > 0) {
    ASSIGN_OR_RETURN(const int page, number("page", 1, 10000, 1));
    query.limit = page_size;
    query.offset = (page - 1) * page_size;
  } else {
    ASSIGN_OR_RETURN(query.limit, number("limit", 1, 100, 10));
    ASSIGN_OR_RETURN(query.offset, number("offset", 0, 1000000, 0));
  }
  return query;
}

}  // namespace

struct Server::Impl {
  Impl(store::Store& s, ServerOptions o) : store(s), options(std::move(o)) {}

  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  // The only way to add a route: the access rule is part of the declaration.
  void route(std::string method, std::string pattern, Access access, Handler handler) {
    routes.push_back({method, pattern, access});
    auto guarded = [this, access, handler = std::move(handler)](const httplib::Request& req,
                                                                  httplib::Response& res) {
      if (access == Access::kStaff) {
        // TODO(#7): sign-in with roles; until then staff routes are closed to everyone.
        send_error(req, res, 401, "unauthorized", "sign-in required");
        return;
      }
      handler(req, res);
    };
    if (method == "GET") {
      http.Get(pattern, std::move(guarded));
    } else if (method == "POST") {
      http.Post(pattern, std::move(guarded));
    } else {
      assert(false && "only GET and POST routes are declared");
    }
  }

  void declare_routes();

  store::Store& store;
  ServerOptions options;
  httplib::Server http;
  std::vector<RouteInfo> routes;
  bool bound = false;
  // stop() may come before the listener runs (a signal right after start-up); these make it
  // take effect either way. Sequentially consistent, so stop() and serve() see each other.
  std::atomic<bool> serving{false};
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> listener_done{false};
};

void Server::Impl::declare_routes() {
  route("GET", "/healthz", Access::kPublic, [this](const httplib::Request&, httplib::Response& res) {
    send_json(res, {{"status", "ok"}, {"schema_version", store.schema_version()}});
  });

  route("GET", "/", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = internal::language_of(req.get_param_value("lang"));
    auto sources = store.sources();
    auto publications = store.publications();
    if (!sources || !publications) {
      send_store_error(req, res, !sources ? sources.error() : publications.error());
      return;
    }
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    res.set_content(internal::render_home(language, *sources, *publications),
                    "text/html; charset=utf-8");
  });

  // Published tables: only what `rapporteur publish` wrote after the audit passed.
  const auto read_published = [this](const std::string& file) -> std::optional<std::string> {
    if (options.published_folder.empty()) return std::nullopt;
    std::ifstream in(std::filesystem::path(options.published_folder) / file, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  };
  const auto published_tables = [this]() {
    std::vector<json> tables;
    std::error_code ec;
    if (options.published_folder.empty() || !std::filesystem::is_directory(options.published_folder, ec)) return tables;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(options.published_folder, ec)) {
      if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
      std::ifstream in(f);
      auto parsed = json::parse(in, nullptr, false);
      if (parsed.is_discarded() || !parsed.contains("name")) continue;
      tables.push_back({{"name", parsed["name"]}, {"title", parsed.value("title", "")},
                        {"title_en", parsed.value("title_en", "")}, {"date", parsed.value("date", "")},
                        {"href", "/api/v1/tables/" + parsed["name"].get<std::string>()}});
    }
    return tables;
  };
  route("GET", "/cijfers", Access::kPublic, [published_tables](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = internal::language_of(req.get_param_value("lang"));
    std::vector<std::pair<std::string, std::string>> list;
    for (const auto& t : published_tables()) {
      list.emplace_back(t["name"].get<std::string>(),
                        t[language == internal::Language::kDutch ? "title" : "title_en"].get<std::string>());
    }
    res.set_content(internal::render_figures_index(language, list), "text/html; charset=utf-8");
  });
  route("GET", R"(/cijfers/([a-z0-9_\-]+))", Access::kPublic,
        [read_published](const httplib::Request& req, httplib::Response& res) {
          const internal::Language language = internal::language_of(req.get_param_value("lang"));
          const std::string name = req.matches[1];
          const auto text = read_published(name + ".json");
          if (!text) {
            send_error(req, res, 404, "not_found", "no such table");
            return;
          }
          const bool chart = internal::embedded_assets().count("/vendor/echarts.min.js") > 0;
          res.set_content(internal::render_figure(language, name, *text, chart), "text/html; charset=utf-8");
        });
  route("GET", R"(/cijfers/([a-z0-9_\-]+)\.(csv|xlsx))", Access::kPublic,
        [read_published](const httplib::Request& req, httplib::Response& res) {
          const std::string name = req.matches[1];
          const std::string extension = req.matches[2];
          const auto bytes = read_published(name + "." + extension);
          if (!bytes) {
            send_error(req, res, 404, "not_found", "no such table");
            return;
          }
          res.set_header("Content-Disposition", "attachment; filename=\"" + name + "." + extension + "\"");
          res.set_content(*bytes, extension == "csv" ? "text/csv; charset=utf-8"
                                                     : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        });
  route("GET", "/api/v1/tables", Access::kPublic, [published_tables](const httplib::Request&, httplib::Response& res) {
    send_json(res, {{"tables", published_tables()}});
  });
  route("GET", R"(/api/v1/tables/([a-z0-9_\-]+))", Access::kPublic,
        [read_published](const httplib::Request& req, httplib::Response& res) {
          const auto text = read_published(std::string(req.matches[1]) + ".json");
          if (!text) {
            send_error(req, res, 404, "not_found", "no such table");
            return;
          }
          res.status = 200;
          res.set_content(*text, "application/json; charset=utf-8");
        });

  route("GET", "/staff", Access::kStaff, [](const httplib::Request&, httplib::Response& res) {
    res.set_content("staff", "text/plain");
  });

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
      if (r.pattern.starts_with("/api/v1/")) {
        endpoints.push_back({{"method", r.method},
                             {"path", r.pattern},
                             {"access", r.access == Access::kPublic ? "public" : "staff"}});
      }
    }
    send_json(res, {{"name", "rapporteur"},
                    {"api_version", 1},
                    {"schema_version", store.schema_version()},
                    {"endpoints", endpoints}});
  });

  route("GET", "/api/v1/sources", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          auto sources = store.sources();
          if (!sources) return send_store_error(req, res, sources.error());
          json body = json::array();
          for (const Source& s : *sources) {
            body.push_back({{"code", s.code}, {"name", s.name}, {"kind", to_code(s.kind)}});
          }
          send_json(res, {{"sources", body}});
        });

  route("GET", "/api/v1/regions", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
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

  route("GET", "/api/v1/publications", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          auto publications = store.publications();
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

  route("GET", "/api/v1/recommendations", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          auto recommendations = store.recommendations();
          if (!recommendations) return send_store_error(req, res, recommendations.error());
          json body = json::array();
          for (const Recommendation& r : *recommendations) body.push_back(recommendation_json(r));
          const auto overview = kb::summarise(*recommendations);
          const auto rows = [](const std::vector<kb::RecommendationSummary>& summaries) {
            json list = json::array();
            for (const auto& s : summaries) {
              list.push_back({{"key", s.key}, {"total", s.total}, {"adopted", s.adopted}, {"partly_adopted", s.partly},
                              {"rejected", s.rejected}, {"pending", s.pending}, {"adopted_share", s.adopted_share}});
            }
            return list;
          };
          send_json(res, {{"recommendations", body},
                          {"overview", {{"by_year", rows(overview.by_year)}, {"by_addressee", rows(overview.by_addressee)}}}});
        });

  route("GET", "/api/v1/search", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    if (options.knowledge_base == nullptr) return send_error(req, res, 503, "unavailable", "no knowledge base");
    auto query = search_query(req, /*page_size=*/0);
    if (!query) return send_error(req, res, 400, "bad_request", query.error().message);
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

  route("GET", "/zoeken", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = internal::language_of(req.get_param_value("lang"));
    constexpr int kPageSize = 10;
    internal::Parameters parameters;
    for (const char* name : {"q", "type", "year", "theme", "form", "status", "language", "sort", "page", "lang"}) {
      if (req.has_param(name) && !req.get_param_value(name).empty()) parameters.emplace_back(name, req.get_param_value(name));
    }
    const bool fragment = req.get_param_value("partial") == "1";
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    if (options.knowledge_base == nullptr) {
      res.status = 503;
      res.set_content(internal::render_search(language, parameters, nullptr, "De kennisbank is niet beschikbaar.", kPageSize,
                                              fragment),
                      "text/html; charset=utf-8");
      return;
    }
    auto query = search_query(req, kPageSize);
    Result<kb::SearchResult> result = query ? options.knowledge_base->search(*query)
                                            : Result<kb::SearchResult>(tl::unexpected(query.error()));
    if (!result && result.error().code != ErrorCode::kInvalidArgument) return send_store_error(req, res, result.error());
    res.status = result ? 200 : 400;
    res.set_content(internal::render_search(language, parameters, result ? &*result : nullptr,
                                            result ? "" : result.error().message, kPageSize, fragment),
                    "text/html; charset=utf-8");
  });

  route("GET", R"(/publicaties/([a-z0-9\-]+))", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = internal::language_of(req.get_param_value("lang"));
    auto publication = store.publication(req.matches[1]);
    if (!publication) {
      if (publication.error().code == ErrorCode::kNotFound) return send_error(req, res, 404, "not_found", "no such publication");
      return send_store_error(req, res, publication.error());
    }
    auto recommendations = store.recommendations();
    if (!recommendations) return send_store_error(req, res, recommendations.error());
    res.set_content(internal::render_publication(language, *publication, *recommendations), "text/html; charset=utf-8");
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
          const auto path = options.knowledge_base->file_path(publication->file_sha256);
          if (!path) return send_error(req, res, 404, "not_found", "no such file");
          std::ifstream in(*path, std::ios::binary);
          std::stringstream bytes;
          bytes << in.rdbuf();
          std::string safe_name;
          for (const char c : publication->file_name) {
            safe_name += (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_') ? c : '_';
          }
          res.set_header("Content-Disposition", "attachment; filename=\"" + safe_name + "\"");
          res.set_header("Cache-Control", "public, max-age=86400");
          res.set_content(bytes.str(), publication->media_type.starts_with("text/")
                                           ? publication->media_type + "; charset=utf-8"
                                           : publication->media_type);
        });
  route("GET", "/aanbevelingen", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = internal::language_of(req.get_param_value("lang"));
    auto recommendations = store.recommendations();
    auto publications = store.publications();
    if (!recommendations || !publications) {
      return send_store_error(req, res, !recommendations ? recommendations.error() : publications.error());
    }
    res.set_content(internal::render_recommendations(language, *recommendations, *publications,
                                                     kb::summarise(*recommendations)),
                    "text/html; charset=utf-8");
  });
  route("GET", R"(/aanbevelingen/([a-z0-9\-]+)/([0-9]{1,6}))", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          const internal::Language language = internal::language_of(req.get_param_value("lang"));
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
  route("GET", "/api/v1/registrations/counts", Access::kStaff,
        [this](const httplib::Request& req, httplib::Response& res) {
          auto counts = store.registration_counts();
          if (!counts) return send_store_error(req, res, counts.error());
          json body = json::array();
          for (const auto& c : *counts) {
            body.push_back({{"year", c.year}, {"mandate", to_code(c.mandate)},
                            {"role", to_code(c.role)}, {"registrations", c.registrations},
                            {"persons", c.persons}});
          }
          send_json(res, {{"counts", body}});
        });
}

std::optional<std::string_view> static_asset(std::string_view path) {
  const auto& assets = internal::embedded_assets();
  const auto found = assets.find(std::string(path));
  if (found == assets.end()) return std::nullopt;
  return found->second;
}

Server::Server(store::Store& store, ServerOptions options)
    : impl_(std::make_unique<Impl>(store, std::move(options))) {
  httplib::Server& http = impl_->http;
  http.set_payload_max_length(impl_->options.max_request_bytes);
  http.set_default_headers({
      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  });
  // Dynamic responses are not cached unless a handler says otherwise (static assets do).
  http.set_post_routing_handler([](const httplib::Request&, httplib::Response& res) {
    if (!res.has_header("Cache-Control")) {
      res.set_header("Cache-Control", "no-store");
    }
  });
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the same port and
  // silently share its traffic; SO_REUSEADDR alone allows quick restarts and refuses that.
  http.set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    // Only fill in bodies for errors no handler produced (unknown routes, oversized bodies).
    if (res.body.empty()) {
      const bool not_found = res.status == 404;
      send_error(req, res, res.status, not_found ? "not_found" : "bad_request",
                 not_found ? "not found" : res.status == 413 ? "request too large" : "bad request");
    }
  });
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res,
                                std::exception_ptr) {
    spdlog::error("{} {}: unhandled exception", req.method, req.path);
    send_error(req, res, 500, "internal", "internal error");
  });
  // One line per request; the path only, never the query string or body.
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::info("{} {} {} {}B", req.method, req.path, res.status, res.body.size());
  });
  impl_->declare_routes();
}

Server::~Server() = default;

Result<int> Server::bind() {
  const ServerOptions& o = impl_->options;
  int port = o.port;
  if (o.port == 0) {
    port = impl_->http.bind_to_any_port(o.host);
  } else if (!impl_->http.bind_to_port(o.host, o.port)) {
    port = -1;
  }
  if (port < 0) {
    return fail(ErrorCode::kIo, fmt::format("cannot listen on {}:{} (address in use or invalid)",
                                            o.host, o.port));
  }
  impl_->bound = true;
  return port;
}

Result<void> Server::serve() {
  assert(impl_->bound && "bind() before serve()");
  impl_->serving = true;
  if (impl_->stop_requested) {
    impl_->listener_done = true;
    return ok();
  }
  const bool clean = impl_->http.listen_after_bind();
  impl_->listener_done = true;
  if (!clean && !impl_->stop_requested) {
    return fail(ErrorCode::kIo, "the HTTP listener stopped with an error");
  }
  return ok();
}

void Server::stop() {
  impl_->stop_requested = true;
  if (!impl_->serving) {
    return;  // serve() will see the request and not start.
  }
  // httplib ignores stop() until its loop runs; wait for that (or for serve() to end).
  while (!impl_->http.is_running() && !impl_->listener_done) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl_->http.stop();
}

std::vector<RouteInfo> Server::routes() const { return impl_->routes; }

}  // namespace rapporteur::web
