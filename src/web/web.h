// The HTTP server: public pages, the JSON API under /api/v1 and static assets, each route with
// an explicit access rule.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth.h"
#include "core/result.h"
#include "store/store.h"

namespace rapporteur::kb {
class KnowledgeBase;
}  // namespace rapporteur::kb

namespace rapporteur::app {
class Workspace;
}  // namespace rapporteur::app

namespace rapporteur::web {

// Who may use a route; no route exists without a rule. kStaff: any signed-in user;
// kResearcher (microdata, runs, review), kEditor (publications, recommendations) and kAdmin
// (users, audit log): that role or admin. Anonymous requests to a non-public route get 401,
// signed-in users without the role 403, and a POST without the session's CSRF token 403.
enum class Access { kPublic, kStaff, kResearcher, kEditor, kAdmin };

struct RouteInfo {
  std::string method;
  std::string pattern;  // Path, or a regular expression for parameterised routes.
  Access access = Access::kPublic;
};

// Limits that keep slow and greedy clients from starving the server.
struct ConnectionLimits {
  // A request's header and body must arrive within this time of its first byte (30 s: an
  // extract of ~30 MB over a 10 Mbit/s link; larger uploads need a faster link); a client
  // that sends less (a byte every second, or a partial header and then nothing) is cut off.
  std::chrono::milliseconds request_deadline{30'000};
  // How long an idle keep-alive connection may wait for its next request, and how many
  // requests one connection may carry.
  std::chrono::milliseconds keep_alive_idle{2'000};
  std::size_t keep_alive_requests = 100;
  // Each write of a response must make progress within this time.
  std::chrono::milliseconds write_timeout{10'000};
  // Connections one address may hold at once (0: no cap); more are answered 503 at once.
  // Behind a reverse proxy every client has the proxy's address: raise it there.
  std::size_t per_address = 64;
  // Worker threads. httplib serves a connection on one thread for its whole life, so this
  // must stay well above per_address for one address never to occupy every worker.
  std::size_t threads = 128;
};

struct ServerOptions {
  std::string host = "127.0.0.1";
  int port = 8080;  // 0 picks a free port.
  std::size_t max_request_bytes = 1 << 20;
  // The public side serves the release the store serves (tables/release.h). A published
  // folder from before releases were kept in the store is adopted into it at start-up (when
  // the store serves none yet); publications of the workspace copy their release here.
  std::string published_folder;
  // The knowledge base behind the search, publication and recommendation pages; not owned,
  // must outlive the server. Null: search answers 503.
  kb::KnowledgeBase* knowledge_base = nullptr;
  // Sign-in for the staff workspace; not owned. Null: every staff route answers 401.
  auth::Auth* auth = nullptr;
  // The staff workspace's work (intake, estimates, tables, index, account, reports) run as
  // background jobs; not owned, must outlive the server. Null: the workspace cannot start jobs.
  app::Workspace* workspace = nullptr;
  std::string uploads_folder;   // Where uploaded extracts are kept (outside the web root).
  std::string profiles_folder;  // Source profiles offered for uploads.
  std::string tables_folder;    // Table definitions offered for protection and publication.
  std::string reports_folder;   // Where annual reports are written and served to staff from.
  bool secure_cookies = false;  // Mark cookies Secure (behind TLS); also when X-Forwarded-Proto is https.
  ConnectionLimits limits;
  // Failed sign-ins per client address (see auth::AddressThrottle), counted in the store, so
  // that the nodes on one database count an address together.
  auth::ThrottleOptions sign_in_throttle;
  // This node's name when several serve one database (app::JobNode): its jobs carry it, and
  // at start it interrupts only its own leftovers and dead nodes' jobs. "": a single server.
  std::string node;
  // Threads that run queued staff jobs, from this node or any other on the database; 0: this
  // node only queues them (docs/deployment.md). None run without a workspace.
  int job_workers = 2;
};

// The bytes of a static asset built into the server (e.g. "/vendor/echarts.min.js"), for
// documents made outside the server such as the annual report; nullopt when absent.
std::optional<std::string_view> static_asset(std::string_view path);

class Server;
namespace internal {
// Declared for Server's friendship; see web/internal/raw_requests.h.
std::string serve_bytes(Server& server, std::string_view bytes);
}  // namespace internal

// A request handled in-process, without a socket (tests; tools that render a page).
struct LocalRequest {
  std::string method = "GET";
  std::string target;  // Path and query string, e.g. "/zoeken?q=loverboy".
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;  // Parsed as form fields when Content-Type is application/x-www-form-urlencoded.
  std::string remote_address = "127.0.0.1";
};

struct LocalResponse {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // The first header of that name (case-insensitive); empty when absent.
  std::string header(std::string_view name) const;
};

// Thread safety: stop() may be called from any thread; the rest from the owning thread.
class Server {
 public:
  // `store` must outlive the server.
  Server(store::Store& store, ServerOptions options);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listening socket; returns the port. Fails with kIo when the address is taken or
  // invalid.
  Result<int> bind();
  // Serves requests until stop() is called; requires bind(). Fails with kIo when the listener
  // breaks.
  Result<void> serve();
  // Stops accepting, lets requests in flight finish, and makes serve() return.
  void stop();

  // Every route with its access rule, in registration order.
  std::vector<RouteInfo> routes() const;

  // Answers one request in-process through the same routes, access rules and error bodies
  // as the socket does (the connection limits and default security headers, which belong to
  // the connection, are not applied; multipart bodies are not parsed). Safe to call while
  // serving, as the handlers are.
  LocalResponse handle(const LocalRequest& request);

 private:
  friend std::string internal::serve_bytes(Server& server, std::string_view bytes);
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace rapporteur::web
