// The server's state and its route declarations, shared by server.cpp and the route files
// (routes_public.cpp, routes_staff.cpp). Internal to web.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string_view>
#include <thread>

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "account/account.h"
#include "app/jobs.h"
#include "app/workspace.h"
#include "auth/auth.h"
#include "core/files.h"
#include "core/time.h"
#include "kb/kb.h"
#include "tables/release.h"
#include "web/internal/explorer.h"
#include "web/internal/guarded_http.h"
#include "web/internal/http_util.h"
#include "web/internal/pages.h"
#include "web/internal/staff_pages.h"
#include "web/web.h"

namespace rapporteur::web {

namespace internal {
const std::map<std::string, std::string_view>& embedded_assets();
}  // namespace internal

struct Server::Impl {
  Impl(store::Store& s, ServerOptions o)
      : store(s), options(std::move(o)), http(options.limits), sign_in_throttle(s, options.sign_in_throttle) {}

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
      case Access::kStaff:
        return true;
      case Access::kResearcher:
        return role == store::UserRole::kResearcher;
      case Access::kEditor:
        return role == store::UserRole::kEditor;
      case Access::kAdmin:
        return false;
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
        res.set_content(
            internal::render_sign_in(request_language(req), "", "Meld u aan om de werkruimte te gebruiken.", req.path),
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
    local_routes.push_back({method, std::regex(pattern), guarded});
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

  // The time as the store writes it: the sign-in's clock (tests inject one), else the system's.
  std::string now_text() const { return options.auth != nullptr ? options.auth->now_text() : utc_now_iso(); }
  // Whether cookies get the Secure flag: configured so, or behind a TLS proxy.
  bool secure(const httplib::Request& req) const {
    return options.secure_cookies || req.get_header_value("X-Forwarded-Proto") == "https";
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

  // Queues a job of `kind` in the store for any node's workers, which rebuild its work from
  // `parameters` (declare_job_handlers, job_handlers.cpp). `upload`, when given, must be in the
  // files folder the nodes share; it is removed when the job ends, whatever its outcome: an
  // extract holds identifying data and is read once. kInternal when the server has no
  // workspace.
  Result<std::int64_t> queue_job(std::string kind, std::string title, const nlohmann::json& parameters,
                                 std::string link = {}, std::string link_text = {}, std::filesystem::path upload = {}) {
    if (options.workspace == nullptr) {
      // The upload would otherwise stay behind: an extract holds identifying data.
      std::error_code ignored;
      if (!upload.empty()) std::filesystem::remove(upload, ignored);
      return fail(ErrorCode::kInternal, "this server cannot run staff jobs (no workspace)");
    }
    app::JobSpec spec{
        std::move(kind), std::move(title),     current_viewer() != nullptr ? current_viewer()->user.name : "",
        std::move(link), std::move(link_text), std::move(upload)};
    return jobs.submit(std::move(spec), parameters.dump());
  }
  // Registers how each kind of job the routes queue is run on this node (job_handlers.cpp).
  void declare_job_handlers();

  // A job as its page shows it: live while it runs, else as stored. kNotFound when unknown.
  Result<internal::JobView> job_view(std::int64_t id) { return jobs.job(id); }
  // The newest jobs, live ones with their output so far.
  Result<std::vector<internal::JobView>> recent_jobs(int limit) { return jobs.recent(limit); }

  // Knowledge-base writes are serialised with the workspace's (an index rebuild job).
  std::mutex& kb_write_mutex() {
    return options.workspace != nullptr ? options.workspace->kb_write_mutex() : kb_writes;
  }

  // Before a search: at most once a second, brings the search index into step with the store
  // when another node on the same database changed the knowledge base (kb::catch_up). Skipped
  // while a knowledge-base write holds the lock (that write brings the index into step itself).
  void catch_up_search_index() {
    if (options.knowledge_base == nullptr) return;
    const std::int64_t now =
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
            .count();
    std::int64_t last = last_index_check.load();
    if (now - last < 1000 || !last_index_check.compare_exchange_strong(last, now)) return;
    const std::unique_lock lock(kb_write_mutex(), std::try_to_lock);
    if (!lock.owns_lock()) return;
    if (auto caught = options.knowledge_base->catch_up(); !caught) {
      spdlog::error("search index: {}", caught.error().message);
    }
  }

  void redirect(httplib::Response& res, const std::string& location) {
    res.status = 303;
    res.set_header("Location", location);
  }

  void declare_staff_routes();
  // The published tables: list, explorer pages, downloads, JSON (routes_figures.cpp).
  void declare_figure_routes();
  // The published table `name` of the release being served, parsed once per file
  // (routes_figures.cpp). Fails with kNotFound when there is none, kInvalidArgument when its
  // JSON cannot be read.
  Result<std::shared_ptr<const internal::PublishedTable>> published_table(const std::string& name);
  // The release the store serves: its id read per call (one setting), the release itself kept
  // by id (releases never change).
  Result<std::shared_ptr<const tables::ServedRelease>> served_release();
  // The names of the published tables of the release being served, sorted.
  std::vector<std::string> published_table_names();
  void declare_routes();
  // What every response gets after its handler (Cache-Control, the language cookie).
  void after_routing(const httplib::Request& req, httplib::Response& res) const;
  // Bodies for errors no handler produced (unknown routes, oversized bodies).
  static void fill_error(const httplib::Request& req, httplib::Response& res);

  // The routes once more, for Server::handle: the same guarded handlers, matched the way
  // httplib matches them (the first whose pattern matches the whole path).
  struct LocalRoute {
    std::string method;
    std::regex pattern;
    Handler guarded;
  };
  std::vector<LocalRoute> local_routes;
  void declare_estimate_routes();  // routes_estimates.cpp
  void declare_sdc_routes();       // routes_sdc.cpp
  void declare_linkage_routes();   // routes_linkage.cpp

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
  // Parsed published tables, by file and modification time (a release's files never change).
  struct TableCache {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const internal::PublishedTable>> tables;
  };
  TableCache table_cache;
  struct ReleaseCache {
    std::mutex mutex;
    std::map<std::string, std::shared_ptr<const tables::ServedRelease>> releases;  // By id.
  };
  ReleaseCache release_cache;
  internal::GuardedHttpServer http;
  auth::AddressThrottle sign_in_throttle;  // In the store: the nodes on one database count together.
  std::vector<RouteInfo> routes;
  bool bound = false;
  // stop() may come before the listener runs (a signal right after start-up); these make it
  // take effect either way. Sequentially consistent, so stop() and serve() see each other.
  std::atomic<bool> serving{false};
  std::atomic<bool> stop_requested{false};
  std::atomic<bool> listener_done{false};
  std::mutex kb_writes;  // Serialises knowledge-base writes when there is no workspace.
  std::atomic<std::int64_t> last_index_check{std::numeric_limits<std::int64_t>::min() / 2};  // Steady ms.
  // Last member: destroyed first, so running jobs end before the rest of the server goes.
  app::JobRunner jobs{store,
                      [this] { return now_text(); },
                      {.name = options.node, .workers = options.job_workers, .uploads_folder = options.uploads_folder}};
};

}  // namespace rapporteur::web
