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
#include <mutex>
#include <random>
#include <thread>
#include <string_view>

#include <fmt/format.h>
#include <httplib.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "account/account.h"
#include "auth/auth.h"
#include "core/files.h"
#include "kb/kb.h"
#include "tables/release.h"
#include "web/internal/guarded_http.h"
#include "web/internal/pages.h"
#include "web/internal/staff_pages.h"
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

std::string cookie(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t at = 0;
  while (at < header.size()) {
    const std::size_t end = std::min(header.find(';', at), header.size());
    std::string_view pair = std::string_view(header).substr(at, end - at);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    at = end + 1;
  }
  return "";
}

// The page language: ?lang= when given (nl or en), else the visitor's last choice (a cookie
// set whenever ?lang= is given), else Dutch.
internal::Language request_language(const httplib::Request& req) {
  const std::string asked = req.get_param_value("lang");
  if (asked == "nl" || asked == "en") return internal::language_of(asked);
  return internal::language_of(cookie(req, "rapporteur_lang"));
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
    res.set_content(internal::render_error_page(request_language(req),
                                                status, message),
                    "text/html; charset=utf-8");
  }
}

// Store failures reach the log in full and the client as a generic message.
void send_store_error(const httplib::Request& req, httplib::Response& res, const Error& error) {
  spdlog::error("{} {}: {}", req.method, req.path, error.message);
  send_error(req, res, 500, "internal", "internal error");
}

// A refused write: with the reason when the error is one of `caused_by_input` (what the form
// asked for cannot be done: 404 when what it names does not exist, else 400), else an
// internal error.
void send_refusal(const httplib::Request& req, httplib::Response& res, const Error& error,
                  std::initializer_list<ErrorCode> caused_by_input) {
  if (std::find(caused_by_input.begin(), caused_by_input.end(), error.code) != caused_by_input.end()) {
    if (error.code == ErrorCode::kNotFound) return send_error(req, res, 404, "not_found", error.message);
    return send_error(req, res, 400, "bad_request", error.message);
  }
  send_store_error(req, res, error);
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
  Impl(store::Store& s, ServerOptions o)
      : store(s), options(std::move(o)), http(options.limits), sign_in_throttle(options.sign_in_throttle) {}

  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  // Who is signed in for the request being handled (set by the guard, on the handler's
  // thread).
  struct Viewer {
    store::Session session;
    store::User user;
  };
  static const Viewer*& current_viewer() {
    thread_local const Viewer* viewer = nullptr;
    return viewer;
  }

  static std::string form_value(const httplib::Request& req, const char* name) {
    if (req.has_param(name)) return req.get_param_value(name);
    if (req.has_file(name)) return req.get_file_value(name).content;
    return "";
  }

  static bool allowed(Access access, store::UserRole role) {
    if (role == store::UserRole::kAdmin) return true;
    switch (access) {
      case Access::kPublic:
      case Access::kStaff: return true;
      case Access::kResearcher: return role == store::UserRole::kResearcher;
      case Access::kEditor: return role == store::UserRole::kEditor;
      case Access::kAdmin: return false;
    }
    return false;
  }

  // The only way to add a route: the access rule is part of the declaration.
  void route(std::string method, std::string pattern, Access access, Handler handler) {
    routes.push_back({method, pattern, access});
    auto guarded = [this, access, method, handler = std::move(handler)](const httplib::Request& req,
                                                                          httplib::Response& res) {
      if (access == Access::kPublic) {
        handler(req, res);
        return;
      }
      std::optional<Viewer> viewer;
      if (options.auth != nullptr) {
        const std::string token = cookie(req, "rapporteur_session");
        if (!token.empty()) {
          if (auto found = options.auth->session(token)) viewer = Viewer{found->first, found->second};
        }
      }
      if (!viewer) {
        if (req.path.starts_with("/api/")) return send_error(req, res, 401, "unauthorized", "sign-in required");
        res.status = 401;
        res.set_content(internal::render_sign_in(request_language(req), "",
                                                 "Meld u aan om de werkruimte te gebruiken.", req.path),
                        "text/html; charset=utf-8");
        return;
      }
      if (!allowed(access, viewer->user.role)) {
        return send_error(req, res, 403, "forbidden", "your role may not use this page");
      }
      if (method == "POST" && form_value(req, "csrf") != viewer->session.csrf_token) {
        return send_error(req, res, 403, "forbidden", "invalid or missing CSRF token");
      }
      current_viewer() = &*viewer;
      handler(req, res);
      current_viewer() = nullptr;
    };
    if (method == "GET") {
      http.Get(pattern, std::move(guarded));
    } else if (method == "POST") {
      http.Post(pattern, std::move(guarded));
    } else {
      assert(false && "only GET and POST routes are declared");
    }
  }

  internal::StaffViewer staff_viewer() const {
    const Viewer* v = current_viewer();
    assert(v != nullptr && "only staff routes ask");
    internal::StaffViewer out;
    out.name = v->user.name;
    out.role = std::string(store::to_code(v->user.role));
    out.csrf = v->session.csrf_token;
    out.admin = v->user.role == store::UserRole::kAdmin;
    out.researcher = out.admin || v->user.role == store::UserRole::kResearcher;
    out.editor = out.admin || v->user.role == store::UserRole::kEditor;
    return out;
  }

  void audit(const std::string& action, const std::string& detail) {
    if (options.auth == nullptr || current_viewer() == nullptr) return;
    if (auto written = options.auth->audit(current_viewer()->user.name, action, detail); !written) {
      spdlog::error("audit log: {}", written.error().message);
    }
  }

  // ---- Background jobs: a command run on its own thread. The store keeps each job (so the
  // list and its outcome outlive the server); while it runs, its output is read live here. ----
  struct Job {
    store::JobRecord record;  // Fixed fields; status and texts below while running.
    mutable std::mutex mutex;
    std::string status = "running";
    std::string out;
    std::string err;
  };
  // A stream that appends to a job's text under its lock, so the page can read it while the
  // command writes.
  class JobBuffer : public std::stringbuf {
   public:
    JobBuffer(Job& job, std::string Job::*field) : job_(job), field_(field) {}
    int sync() override {
      const std::lock_guard lock(job_.mutex);
      job_.*field_ += str();
      str("");
      return 0;
    }
   private:
    Job& job_;
    std::string Job::*field_;
  };

  std::string now_text() const { return options.auth != nullptr ? options.auth->now_text() : ""; }
  // Whether cookies get the Secure flag: configured so, or behind a TLS proxy.
  bool secure(const httplib::Request& req) const {
    return options.secure_cookies || req.get_header_value("X-Forwarded-Proto") == "https";
  }

  // A job's progress and error lines as kept: at most the last megabyte. (Its standard
  // output is its result, e.g. an estimate's JSON of several megabytes, and is kept whole.)
  static std::string kept(std::string text) {
    constexpr std::size_t kMax = 1 << 20;
    if (text.size() <= kMax) return text;
    return "...\n" + text.substr(text.size() - kMax);
  }

  // Keeps an uploaded file under a generated name outside the web root (owner-only, written
  // whole); the job it is for removes it when it ends.
  Result<std::filesystem::path> store_upload(std::string_view content, const std::string& extension) {
    std::error_code ec;
    std::filesystem::create_directories(options.uploads_folder, ec);
    if (ec) return fail(ErrorCode::kIo, fmt::format("{}: cannot create: {}", options.uploads_folder, ec.message()));
    const auto path = std::filesystem::path(options.uploads_folder) / (auth::random_token().substr(0, 24) + extension);
    RETURN_IF_ERROR(write_file_atomically(path, content, FileAccess::kOwnerOnly));
    return path;
  }

  // Runs `args` on a worker thread as a job kept in the store. `upload`, when given, is removed
  // when the job ends, whatever its outcome: an extract holds identifying data and is read once.
  Result<std::int64_t> start_job(std::string kind, std::string title, std::vector<std::string> args,
                                 std::string link = {}, std::string link_text = {},
                                 std::filesystem::path upload = {}) {
    auto job = std::make_shared<Job>();
    job->record.kind = std::move(kind);
    job->record.title = std::move(title);
    job->record.owner = current_viewer() != nullptr ? current_viewer()->user.name : "";
    job->record.started = now_text();
    job->record.link = std::move(link);
    job->record.link_text = std::move(link_text);
    ASSIGN_OR_RETURN(job->record.id, store.add_job(job->record));
    const std::lock_guard lock(jobs_mutex);
    live_jobs[job->record.id] = job;
    workers.emplace_back([this, job, args = std::move(args), upload = std::move(upload)] {
      JobBuffer out_buffer(*job, &Job::out);
      JobBuffer err_buffer(*job, &Job::err);
      std::ostream out(&out_buffer);
      std::ostream err(&err_buffer);
      int status = 1;
      try {
        status = options.run_command ? options.run_command(args, out, err) : 1;
      } catch (const std::exception& e) {
        err << "internal error: " << e.what() << '\n';
      } catch (...) {
        err << "internal error\n";
      }
      out.flush();
      err.flush();
      if (!upload.empty()) {
        std::error_code ignored;
        std::filesystem::remove(upload, ignored);
      }
      std::string out_text;
      std::string err_text;
      {
        const std::lock_guard job_lock(job->mutex);
        job->status = status == 0 ? "done" : "failed";
        out_text = job->out;
        err_text = kept(job->err);
      }
      if (auto finished = store.finish_job(job->record.id, job->status, out_text, err_text, now_text()); !finished) {
        spdlog::error("job {}: {}", job->record.id, finished.error().message);
        return;  // Stays live, so its page still shows the outcome.
      }
      const std::lock_guard jobs_lock(jobs_mutex);
      live_jobs.erase(job->record.id);
    });
    return job->record.id;
  }

  static internal::JobView view(const Job& job) {
    const std::lock_guard lock(job.mutex);
    internal::JobView v = job.record;
    v.status = job.status;
    v.output = job.out;
    v.messages = job.err;
    return v;
  }

  // A job as its page shows it: live while it runs, else as stored. kNotFound when unknown.
  Result<internal::JobView> job_view(std::int64_t id) {
    {
      const std::lock_guard lock(jobs_mutex);
      if (const auto live = live_jobs.find(id); live != live_jobs.end()) return view(*live->second);
    }
    // Finished between the two looks: the store has it now.
    return store.job(id);
  }

  // The newest jobs, live ones with their output so far.
  Result<std::vector<internal::JobView>> recent_jobs(int limit) {
    ASSIGN_OR_RETURN(const auto records, store.jobs(limit));
    std::vector<internal::JobView> views;
    const std::lock_guard lock(jobs_mutex);
    for (const auto& r : records) {
      const auto live = live_jobs.find(r.id);
      views.push_back(live != live_jobs.end() ? view(*live->second) : r);
    }
    return views;
  }

  ~Impl() {
    for (auto& worker : workers) {
      if (worker.joinable()) worker.join();
    }
  }

  void redirect(httplib::Response& res, const std::string& location) {
    res.status = 303;
    res.set_header("Location", location);
  }

  void declare_staff_routes();
  void declare_routes();

  store::Store& store;
  ServerOptions options;
  // Rendered figure pages (a few dozen at most: tables times languages times releases kept).
  class PageCache {
   public:
    std::shared_ptr<const std::string> find(const std::string& key) {
      const std::lock_guard lock(mutex_);
      const auto found = pages_.find(key);
      return found == pages_.end() ? nullptr : found->second;
    }
    void insert(const std::string& key, std::shared_ptr<const std::string> page) {
      const std::lock_guard lock(mutex_);
      if (pages_.size() >= 256) pages_.clear();
      pages_[key] = std::move(page);
    }

   private:
    std::mutex mutex_;
    std::map<std::string, std::shared_ptr<const std::string>> pages_;
  };
  PageCache figure_pages;
  internal::GuardedHttpServer http;
  auth::AddressThrottle sign_in_throttle;
  std::vector<RouteInfo> routes;
  bool bound = false;
  // stop() may come before the listener runs (a signal right after start-up); these make it
  // take effect either way. Sequentially consistent, so stop() and serve() see each other.
  std::atomic<bool> serving{false};
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> listener_done{false};
  std::mutex jobs_mutex;
  std::mutex kb_write_mutex;  // The knowledge base's writes must be serialised.
  std::map<std::int64_t, std::shared_ptr<Job>> live_jobs;  // Started by this server, not yet stored as ended.
  std::vector<std::thread> workers;
};

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
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    res.set_content(internal::render_home(language, *sources, *publications),
                    "text/html; charset=utf-8");
  });

  // Published tables: only what `rapporteur publish` wrote after the audit passed.
  // Each request reads from the release being served, resolved once (tables/release.h), so a
  // publication switching releases meanwhile never gives it a mix.
  const auto read_published = [this](const std::string& file) -> std::optional<std::string> {
    if (options.published_folder.empty()) return std::nullopt;
    std::ifstream in(tables::served_folder(options.published_folder) / file, std::ios::binary);
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
    for (const auto& entry : std::filesystem::directory_iterator(tables::served_folder(options.published_folder), ec)) {
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
    const internal::Language language = request_language(req);
    std::vector<std::pair<std::string, std::string>> list;
    for (const auto& t : published_tables()) {
      list.emplace_back(t["name"].get<std::string>(),
                        t[language == internal::Language::kDutch ? "title" : "title_en"].get<std::string>());
    }
    res.set_content(internal::render_figures_index(language, list), "text/html; charset=utf-8");
  });
  route("GET", R"(/cijfers/([a-z0-9_\-]+))", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          const internal::Language language = request_language(req);
          const std::string name = req.matches[1];
          if (options.published_folder.empty()) return send_error(req, res, 404, "not_found", "no such table");
          // The page is rendered once per release, file and language: a release's files never
          // change (the modification time covers instances published before releases).
          const auto file = tables::served_folder(options.published_folder) / (name + ".json");
          std::error_code ec;
          const auto modified = std::filesystem::last_write_time(file, ec);
          if (ec) return send_error(req, res, 404, "not_found", "no such table");
          const std::string key = fmt::format("{}|{}|{}", file.string(), modified.time_since_epoch().count(),
                                              language == internal::Language::kDutch ? "nl" : "en");
          if (auto cached = figure_pages.find(key)) {
            res.set_content(*cached, "text/html; charset=utf-8");
            return;
          }
          std::ifstream in(file, std::ios::binary);
          std::stringstream text;
          text << in.rdbuf();
          if (!in) return send_error(req, res, 404, "not_found", "no such table");
          const bool chart = internal::embedded_assets().count("/vendor/echarts.min.js") > 0;
          auto page = std::make_shared<const std::string>(internal::render_figure(language, name, text.str(), chart));
          figure_pages.insert(key, page);
          res.set_content(*page, "text/html; charset=utf-8");
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

  route("GET", "/api/v1/recommendations", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
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
    const internal::Language language = request_language(req);
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
    const internal::Language language = request_language(req);
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
    const internal::Language language = request_language(req);
    auto recommendations = store.recommendations();
    auto publications = store.publication_list();
    if (!recommendations || !publications) {
      return send_store_error(req, res, !recommendations ? recommendations.error() : publications.error());
    }
    res.set_content(internal::render_recommendations(language, *recommendations, *publications,
                                                     kb::summarise(*recommendations)),
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
            body.push_back({{"year", c.year}, {"mandate", to_code(c.mandate)},
                            {"role", to_code(c.role)}, {"registrations", c.registrations},
                            {"persons", c.persons}});
          }
          send_json(res, {{"counts", body}});
        });
}


void Server::Impl::declare_staff_routes() {
  const auto& lang = request_language;
  const auto html_page = [](httplib::Response& res, std::string body) {
    res.set_content(std::move(body), "text/html; charset=utf-8");
  };

  // Sign-in: a double-submit CSRF cookie protects the form before there is a session.
  route("GET", "/aanmelden", Access::kPublic, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string csrf = auth::random_token();
    res.set_header("Set-Cookie", fmt::format("rapporteur_csrf={}; Path=/aanmelden; HttpOnly; SameSite=Strict{}", csrf,
                                             secure(req) ? "; Secure" : ""));
    html_page(res, internal::render_sign_in(lang(req), csrf, "", req.get_param_value("terug")));
  });
  route("POST", "/aanmelden", Access::kPublic, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string back = req.get_param_value("terug");
    const std::string target = back.starts_with("/staff") && back.find("//") == std::string::npos ? back : "/staff";
    const std::string csrf = cookie(req, "rapporteur_csrf");
    const auto again = [&](int status, std::string_view message) {
      const std::string fresh = auth::random_token();
      res.set_header("Set-Cookie", fmt::format("rapporteur_csrf={}; Path=/aanmelden; HttpOnly; SameSite=Strict{}", fresh,
                                               secure(req) ? "; Secure" : ""));
      res.status = status;
      html_page(res, internal::render_sign_in(lang(req), fresh, message, back));
    };
    if (options.auth == nullptr) return again(503, "Aanmelden is op deze server niet ingericht.");
    if (csrf.empty() || req.get_param_value("csrf") != csrf) return again(403, "Het formulier is verlopen; probeer het opnieuw.");
    // Per address before any password is hashed: a guessing run from one address costs it,
    // not the server, and leaves other addresses alone.
    if (const auto wait = sign_in_throttle.retry_after(req.remote_addr); wait.count() > 0) {
      res.set_header("Retry-After", std::to_string(wait.count()));
      return again(429, "Te veel mislukte pogingen vanaf dit adres; probeer het later opnieuw.");
    }
    auto signed_in = options.auth->sign_in(req.get_param_value("name"), req.get_param_value("password"));
    if (!signed_in) {
      if (signed_in.error().code != ErrorCode::kPermissionDenied) return send_store_error(req, res, signed_in.error());
      sign_in_throttle.record_failure(req.remote_addr);
      const bool locked = signed_in.error().message.starts_with("locked");
      return again(401, locked ? "Te veel mislukte pogingen; probeer het over een kwartier opnieuw."
                               : "Onjuiste naam of wachtwoord.");
    }
    res.set_header("Set-Cookie", fmt::format("rapporteur_session={}; Path=/; HttpOnly; SameSite=Strict; Max-Age=28800{}",
                                             signed_in->token, secure(req) ? "; Secure" : ""));
    redirect(res, target);
  });
  route("POST", "/afmelden", Access::kStaff, [=, this](const httplib::Request& req, httplib::Response& res) {
    (void)options.auth->sign_out(cookie(req, "rapporteur_session"));
    res.set_header("Set-Cookie", fmt::format("rapporteur_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0{}",
                                             secure(req) ? "; Secure" : ""));
    redirect(res, "/");
  });

  route("GET", "/staff", Access::kStaff, [=, this](const httplib::Request& req, httplib::Response& res) {
    const auto views = recent_jobs(20);
    if (!views) return send_store_error(req, res, views.error());
    html_page(res, internal::render_staff_home(lang(req), staff_viewer(), *views));
  });

  const auto profiles = [this] {
    std::vector<std::string> names;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(options.profiles_folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".toml") names.push_back(it->path().stem().string());
    }
    std::sort(names.begin(), names.end());
    return names;
  };
  route("GET", "/staff/intake", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto batches = store.batches();
    if (!batches) return send_store_error(req, res, batches.error());
    html_page(res, internal::render_intake(lang(req), staff_viewer(), profiles(), *batches));
  });
  route("POST", "/staff/intake", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string profile = form_value(req, "profile");
    const std::string year = form_value(req, "year");
    const auto names = profiles();
    if (std::find(names.begin(), names.end(), profile) == names.end()) {
      return send_error(req, res, 400, "bad_request", "unknown source profile");
    }
    if (year.size() != 4 || year.find_first_not_of("0123456789") != std::string::npos) {
      return send_error(req, res, 400, "bad_request", "the year must be four digits");
    }
    if (!req.has_file("file") || req.get_file_value("file").content.empty()) {
      return send_error(req, res, 400, "bad_request", "no file uploaded");
    }
    const auto& file = req.get_file_value("file");
    std::string extension = std::filesystem::path(file.filename).extension().string();
    std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
    if (extension != ".csv" && extension != ".txt" && extension != ".xlsx") {
      return send_error(req, res, 400, "bad_request", "upload a .csv, .txt or .xlsx file");
    }
    // Stored under a generated name outside the web root; the original name is not used.
    const auto path = store_upload(file.content, extension);
    if (!path) return send_store_error(req, res, path.error());
    std::vector<std::string> args = {"intake", "load", path->string(), "--profile", profile, "--year", year};
    if (form_value(req, "replace") == "1") args.push_back("--replace");
    audit("intake_load", fmt::format("profile {}, year {}, {} bytes", profile, year, file.content.size()));
    const auto id = start_job("intake", fmt::format("Laden: {} {}", profile, year), std::move(args), "/staff/intake",
                              "Leveringen en afgekeurde regels", *path);
    if (!id) return send_store_error(req, res, id.error());
    redirect(res, fmt::format("/staff/jobs/{}", *id));
  });
  route("GET", R"(/staff/batches/(\d{1,9}))", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::int64_t id = std::stoll(req.matches[1]);
    auto batch = store.batch(id);
    if (!batch) {
      if (batch.error().code == ErrorCode::kNotFound) return send_error(req, res, 404, "not_found", "no such batch");
      return send_store_error(req, res, batch.error());
    }
    auto errors = store.row_errors(id);
    if (!errors) return send_store_error(req, res, errors.error());
    html_page(res, internal::render_batch(lang(req), staff_viewer(), *batch, *errors));
  });

  route("GET", "/staff/schatten", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto counts = store.registration_counts();
    if (!counts) return send_store_error(req, res, counts.error());
    std::vector<int> years;
    for (const auto& c : *counts) {
      if (years.empty() || years.back() != c.year) years.push_back(c.year);
    }
    html_page(res, internal::render_estimate_form(lang(req), staff_viewer(), years));
  });
  route("POST", "/staff/schatten", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    const std::string year = req.get_param_value("year");
    const std::string mandate = req.get_param_value("mandate");
    const std::string by = req.get_param_value("by");
    const std::string criterion = req.get_param_value("criterion");
    const std::string bootstrap = req.get_param_value("bootstrap");
    const bool valid = year.size() == 4 && year.find_first_not_of("0123456789") == std::string::npos &&
                       (mandate == "human_trafficking" || mandate == "sexual_violence_against_children") &&
                       (by.empty() || by == "form" || by == "sex" || by == "age" || by == "region") &&
                       (criterion == "bic" || criterion == "aic") &&
                       (bootstrap == "0" || bootstrap == "200" || bootstrap == "1000");
    if (!valid) return send_error(req, res, 400, "bad_request", "invalid estimate parameters");
    std::vector<std::string> args = {"estimate", "--year", year, "--mandate", mandate, "--criterion", criterion, "--json",
                                     "--no-sensitivity"};
    if (!by.empty()) args.insert(args.end(), {"--by", by});
    if (bootstrap != "0") args.insert(args.end(), {"--bootstrap", bootstrap});
    audit("estimate", fmt::format("year {}, {}, by '{}', {}, bootstrap {}", year, mandate, by, criterion, bootstrap));
    const auto id = start_job("estimate", fmt::format("Schatting {} {}{}", mandate, year, by.empty() ? "" : " naar " + by),
                              std::move(args));
    if (!id) return send_store_error(req, res, id.error());
    redirect(res, fmt::format("/staff/jobs/{}", *id));
  });

  route("GET", R"(/staff/jobs/(\d{1,9}))", Access::kStaff, [=, this](const httplib::Request& req, httplib::Response& res) {
    const auto found = job_view(std::stoll(req.matches[1]));
    if (!found) return send_refusal(req, res, found.error(), {ErrorCode::kNotFound});
    html_page(res, internal::render_job(lang(req), staff_viewer(), *found));
  });
  route("GET", R"(/api/v1/staff/jobs/(\d{1,9}))", Access::kStaff, [=, this](const httplib::Request& req, httplib::Response& res) {
    const auto found = job_view(std::stoll(req.matches[1]));
    if (!found) return send_refusal(req, res, found.error(), {ErrorCode::kNotFound});
    const auto& v = *found;
    send_json(res, {{"id", v.id}, {"kind", v.kind}, {"status", v.status}, {"title", v.title}, {"output", v.output},
                    {"messages", v.messages}});
  });

  const auto specs = [this] {
    std::vector<std::pair<std::string, std::string>> list;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(options.tables_folder, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() != ".toml") continue;
      std::ifstream in(it->path());
      std::string line;
      std::string title;
      while (std::getline(in, line)) {
        if (line.starts_with("title = \"")) {
          title = line.substr(9, line.rfind('"') - 9);
          break;
        }
      }
      list.emplace_back(it->path().stem().string(), title);
    }
    std::sort(list.begin(), list.end());
    return list;
  };
  route("GET", "/staff/tabellen", Access::kResearcher, [=, this](const httplib::Request& req, httplib::Response& res) {
    std::vector<std::string> published;
    std::error_code ec;
    for (std::filesystem::directory_iterator it(tables::served_folder(options.published_folder), ec), end;
         !ec && it != end; it.increment(ec)) {
      if (it->path().extension() == ".json") published.push_back(it->path().stem().string());
    }
    html_page(res, internal::render_tables(lang(req), staff_viewer(), specs(), published));
  });
  const auto table_job = [=, this](const httplib::Request& req, httplib::Response& res, bool publish) {
    const std::string spec = req.get_param_value("spec");
    const auto list = specs();
    if (std::none_of(list.begin(), list.end(), [&](const auto& s) { return s.first == spec; })) {
      return send_error(req, res, 400, "bad_request", "unknown table definition");
    }
    const std::string path = (std::filesystem::path(options.tables_folder) / (spec + ".toml")).string();
    std::vector<std::string> args = publish ? std::vector<std::string>{"publish", path}
                                            : std::vector<std::string>{"table", "protect", path};
    std::string link = publish ? "/cijfers/" + spec : "";
    std::string link_text = publish ? "De tabel op de publieke site" : "";
    if (!publish && !options.reports_folder.empty()) {
      // The review per cell (true values: staff only) goes beside the annual reports.
      const std::string review = "beoordeling-" + spec + ".csv";
      args.insert(args.end(), {"--review", (std::filesystem::path(options.reports_folder) / review).string()});
      link = "/staff/tabellen/" + review;
      link_text = "Beoordeling per cel (CSV): waarde, status, reden en interval van elke cel";
    }
    audit(publish ? "publish" : "protect", spec);
    const auto id = start_job(publish ? "publish" : "protect",
                              fmt::format("{}: {}", publish ? "Publiceren" : "Beveiligen en controleren", spec), std::move(args),
                              std::move(link), std::move(link_text));
    if (!id) return send_store_error(req, res, id.error());
    redirect(res, fmt::format("/staff/jobs/{}", *id));
  };
  route("GET", R"(/staff/tabellen/(beoordeling-[A-Za-z0-9_-]{1,80}\.csv))", Access::kResearcher,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const std::string name = req.matches[1];
          std::ifstream in(std::filesystem::path(options.reports_folder) / name, std::ios::binary);
          if (options.reports_folder.empty() || !in) return send_error(req, res, 404, "not_found", "no such review");
          std::stringstream bytes;
          bytes << in.rdbuf();
          res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}\"", name));
          res.set_content(bytes.str(), "text/csv; charset=utf-8");
        });
  route("POST", "/staff/tabellen/beveiligen", Access::kResearcher,
        [=](const httplib::Request& req, httplib::Response& res) { table_job(req, res, false); });
  route("POST", "/staff/tabellen/publiceren", Access::kResearcher,
        [=](const httplib::Request& req, httplib::Response& res) { table_job(req, res, true); });

  route("GET", "/staff/kennisbank", Access::kEditor, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto publications = store.publication_list();
    auto recommendations = store.recommendations();
    if (!publications || !recommendations) {
      return send_store_error(req, res, !publications ? publications.error() : recommendations.error());
    }
    html_page(res, internal::render_kb_editor(lang(req), staff_viewer(), *publications, *recommendations));
  });
  route("POST", R"(/staff/kennisbank/([a-z0-9\-]+))", Access::kEditor, [=, this](const httplib::Request& req, httplib::Response& res) {
    if (options.knowledge_base == nullptr) return send_error(req, res, 503, "unavailable", "no knowledge base");
    kb::Metadata changes;
    changes.title = req.get_param_value("title");
    changes.date = req.get_param_value("date");
    changes.summary = req.get_param_value("summary");
    const std::lock_guard lock(kb_write_mutex);
    auto updated = options.knowledge_base->update(req.matches[1], changes);
    if (!updated) {
      if (updated.error().code == ErrorCode::kInvalidArgument || updated.error().code == ErrorCode::kNotFound) {
        return send_error(req, res, updated.error().code == ErrorCode::kNotFound ? 404 : 400, "bad_request",
                          updated.error().message);
      }
      return send_store_error(req, res, updated.error());
    }
    audit("publication_edit", req.matches[1]);
    redirect(res, "/staff/kennisbank");
  });
  route("POST", R"(/staff/aanbevelingen/([a-z0-9\-]+)/(\d{1,6}))", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          if (options.knowledge_base == nullptr) return send_error(req, res, 503, "unavailable", "no knowledge base");
          Recommendation::Event event;
          event.date = req.get_param_value("date");
          event.note = req.get_param_value("note");
          if (const std::string status = req.get_param_value("status"); !status.empty()) {
            auto parsed = parse_response_status(status);
            if (!parsed) return send_error(req, res, 400, "bad_request", parsed.error().message);
            event.status = *parsed;
          }
          const std::lock_guard lock(kb_write_mutex);
          auto recorded = options.knowledge_base->follow_up(req.matches[1], std::stoi(req.matches[2]), event);
          if (!recorded) return send_refusal(req, res, recorded.error(), {ErrorCode::kInvalidArgument, ErrorCode::kNotFound});
          audit("follow_up", fmt::format("{} #{}", std::string(req.matches[1]), std::string(req.matches[2])));
          redirect(res, "/staff/kennisbank");
        });

  route("POST", "/staff/kennisbank/herbouwen", Access::kEditor, [=, this](const httplib::Request& req, httplib::Response& res) {
    audit("kb_rebuild", "");
    const auto id = start_job("kb_rebuild", "Zoekindex herbouwen", {"kb", "rebuild"});
    if (!id) return send_store_error(req, res, id.error());
    redirect(res, fmt::format("/staff/jobs/{}", *id));
  });

  // The yearly account: registers, finance checks and the annual report.
  route("GET", "/staff/verantwoording", Access::kEditor, [=, this](const httplib::Request& req, httplib::Response& res) {
    internal::AccountView view_model;
    const std::string year = req.get_param_value("year");
    view_model.year = year.size() == 4 && year.find_first_not_of("0123456789") == std::string::npos
                          ? std::stoi(year)
                          : std::stoi(options.auth != nullptr ? options.auth->now_text().substr(0, 4) : "2024") - 1;
    auto activities = store.activities(view_model.year);
    auto media = store.media_appearances(view_model.year);
    if (!activities || !media) return send_store_error(req, res, !activities ? activities.error() : media.error());
    view_model.activities = std::move(*activities);
    view_model.media = std::move(*media);
    if (auto finances = store.finances(view_model.year)) {
      for (const auto& m : account::check_finances(*finances)) {
        view_model.mismatches.emplace_back(m.what, m.stated_cents, m.computed_cents, m.difference_cents);
      }
      view_model.finances = std::move(*finances);
    }
    for (const char* extension : {"html", "pdf"}) {
      const std::string name = fmt::format("jaarverslag-{}.{}", view_model.year, extension);
      std::error_code ec;
      if (std::filesystem::exists(std::filesystem::path(options.reports_folder) / name, ec)) view_model.report_files.push_back(name);
    }
    html_page(res, internal::render_account(lang(req), staff_viewer(), view_model));
  });
  const auto back_to_account = [this](httplib::Response& res, const std::string& date) {
    redirect(res, "/staff/verantwoording?year=" + date.substr(0, 4));
  };
  // An activity or media appearance as the add and remove forms post it (removal needs only
  // the natural key; a media form without a kind is a removal).
  const auto activity_of = [](const httplib::Request& req) -> Result<Activity> {
    Activity a;
    a.date = req.get_param_value("date");
    ASSIGN_OR_RETURN(a.kind, parse_activity_kind(req.get_param_value("kind")));
    a.organisation = req.get_param_value("organisation");
    a.title = req.get_param_value("title");
    return a;
  };
  const auto media_of = [](const httplib::Request& req) -> Result<MediaAppearance> {
    MediaAppearance m;
    m.date = req.get_param_value("date");
    m.outlet = req.get_param_value("outlet");
    if (req.has_param("kind")) {
      ASSIGN_OR_RETURN(m.kind, parse_media_kind(req.get_param_value("kind")));
    }
    m.topic = req.get_param_value("topic");
    return m;
  };
  route("POST", "/staff/verantwoording/activiteit", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto a = activity_of(req);
          if (!a) return send_error(req, res, 400, "bad_request", a.error().message);
          if (auto stored = store.put_activity(*a); !stored) {
            return send_refusal(req, res, stored.error(), {ErrorCode::kInvalidArgument});
          }
          audit("activity_add", a->date + " " + a->title);
          back_to_account(res, a->date);
        });
  route("POST", "/staff/verantwoording/media", Access::kEditor, [=, this](const httplib::Request& req, httplib::Response& res) {
    const auto m = media_of(req);
    if (!m || !req.has_param("kind")) return send_error(req, res, 400, "bad_request", m ? "kind is missing" : m.error().message);
    if (auto stored = store.put_media_appearance(*m); !stored) {
      return send_refusal(req, res, stored.error(), {ErrorCode::kInvalidArgument});
    }
    audit("media_add", m->date + " " + m->outlet);
    back_to_account(res, m->date);
  });
  route("POST", "/staff/verantwoording/activiteit/verwijderen", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto a = activity_of(req);
          if (!a) return send_error(req, res, 400, "bad_request", a.error().message);
          if (auto removed = store.remove_activity(*a); !removed) {
            return send_refusal(req, res, removed.error(), {ErrorCode::kNotFound});
          }
          audit("activity_remove", a->date + " " + a->title);
          back_to_account(res, a->date);
        });
  route("POST", "/staff/verantwoording/media/verwijderen", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const auto m = media_of(req);
          if (!m) return send_error(req, res, 400, "bad_request", m.error().message);
          if (auto removed = store.remove_media_appearance(*m); !removed) {
            return send_refusal(req, res, removed.error(), {ErrorCode::kNotFound});
          }
          audit("media_remove", m->date + " " + m->outlet);
          back_to_account(res, m->date);
        });
  route("POST", "/staff/verantwoording/importeren", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          if (!req.has_file("file") || req.get_file_value("file").content.empty()) {
            return send_error(req, res, 400, "bad_request", "no file uploaded");
          }
          const auto path = store_upload(req.get_file_value("file").content, ".yaml");
          if (!path) return send_store_error(req, res, path.error());
          audit("account_import", path->filename().string());
          const auto id = start_job("account_import", "Jaarbestand importeren", {"account", "import", path->string()},
                                    "/staff/verantwoording", "Verantwoording", *path);
          if (!id) return send_store_error(req, res, id.error());
          redirect(res, fmt::format("/staff/jobs/{}", *id));
        });
  route("POST", "/staff/verantwoording/jaarverslag", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const std::string year = req.get_param_value("year");
          if (year.size() != 4 || year.find_first_not_of("0123456789") != std::string::npos) {
            return send_error(req, res, 400, "bad_request", "the year must be four digits");
          }
          audit("annual_report", year);
          const auto id = start_job("annual_report", "Jaarverslag " + year,
                                    {"report", "annual", "--year", year, "--pdf", "--out", options.reports_folder},
                                    "/staff/verantwoording?year=" + year, "Verantwoording " + year);
          if (!id) return send_store_error(req, res, id.error());
          redirect(res, fmt::format("/staff/jobs/{}", *id));
        });
  route("GET", R"(/staff/verantwoording/(jaarverslag-\d{4}\.(html|pdf)))", Access::kEditor,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const std::string name = req.matches[1];
          std::ifstream in(std::filesystem::path(options.reports_folder) / name, std::ios::binary);
          if (!in) return send_error(req, res, 404, "not_found", "no such report");
          std::stringstream bytes;
          bytes << in.rdbuf();
          const bool pdf = std::string(req.matches[2]) == "pdf";
          if (!pdf) {
            // The report is a standalone document with inline styles and charts; it holds only
            // escaped text, and may run its own inline scripts and nothing else.
            res.headers.erase("Content-Security-Policy");
            res.set_header("Content-Security-Policy",
                           "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; "
                           "frame-ancestors 'none'");
          }
          res.set_content(bytes.str(), pdf ? "application/pdf" : "text/html; charset=utf-8");
        });

  route("GET", "/staff/gebruikers", Access::kAdmin, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto users = store.users();
    if (!users) return send_store_error(req, res, users.error());
    html_page(res, internal::render_users(lang(req), staff_viewer(), *users, ""));
  });
  route("POST", "/staff/gebruikers", Access::kAdmin, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto role = store::parse_user_role(req.get_param_value("role"));
    if (!role) return send_error(req, res, 400, "bad_request", role.error().message);
    const std::string password = auth::generate_password();
    auto added = options.auth->add_user(
        req.get_param_value("name"), *role, password,
        {staff_viewer().name, "user_add", fmt::format("{} ({})", req.get_param_value("name"), req.get_param_value("role"))});
    if (!added) return send_refusal(req, res, added.error(), {ErrorCode::kInvalidArgument, ErrorCode::kConflict});
    auto users = store.users();
    if (!users) return send_store_error(req, res, users.error());
    html_page(res, internal::render_users(lang(req), staff_viewer(), *users, password));
  });
  route("GET", "/staff/audit", Access::kAdmin, [=, this](const httplib::Request& req, httplib::Response& res) {
    auto entries = store.audit_log(500);
    if (!entries) return send_store_error(req, res, entries.error());
    html_page(res, internal::render_audit(lang(req), staff_viewer(), *entries));
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
  // Jobs a previous server left running ended with it; their pages say so.
  if (const auto interrupted = store.interrupt_running_jobs(impl_->now_text()); !interrupted) {
    spdlog::error("jobs: {}", interrupted.error().message);
  } else if (*interrupted > 0) {
    spdlog::warn("{} job(s) were still running when the server last stopped; marked interrupted", *interrupted);
  }
  // spdlog's registry is created on first use; create it here, before any pool thread logs.
  (void)spdlog::default_logger_raw();
  httplib::Server& http = impl_->http;
  http.set_payload_max_length(impl_->options.max_request_bytes);
  // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs add ~40 ms to every keep-alive
  // response (measured: 150 requests/s on /healthz with 4 connections).
  http.set_tcp_nodelay(true);
  http.set_default_headers({
      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
  });
  // Dynamic responses are not cached unless a handler says otherwise (static assets do).
  http.set_post_routing_handler([impl = impl_.get()](const httplib::Request& req, httplib::Response& res) {
    if (!res.has_header("Cache-Control")) {
      res.set_header("Cache-Control", "no-store");
    }
    // A language chosen with ?lang= holds for the following pages, links and redirects too.
    if (const std::string asked = req.get_param_value("lang"); asked == "nl" || asked == "en") {
      res.set_header("Set-Cookie", fmt::format("rapporteur_lang={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000{}",
                                               asked, impl->secure(req) ? "; Secure" : ""));
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
  impl_->declare_staff_routes();
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
  impl_->http.widen_backlog();
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
