// The HTTP server's life cycle: construction (limits, headers, error handlers, logging, the
// routes), binding, serving and stopping.
#include "app/publish.h"
#include "web/internal/raw_requests.h"
#include "web/internal/server_impl.h"

namespace rapporteur::web {

std::optional<std::string_view> static_asset(std::string_view path) {
  const auto& assets = internal::embedded_assets();
  const auto found = assets.find(std::string(path));
  if (found == assets.end()) return std::nullopt;
  return found->second;
}

Server::Server(store::Store& store, ServerOptions options) : impl_(std::make_unique<Impl>(store, std::move(options))) {
  // Jobs a previous server left running ended with it; their pages say so.
  if (const auto interrupted = impl_->jobs.interrupt_leftovers(); !interrupted) {
    spdlog::error("jobs: {}", interrupted.error().message);
  } else if (*interrupted > 0) {
    spdlog::warn("{} job(s) were still running when the server last stopped; marked interrupted", *interrupted);
  }
  // A published folder from before releases were kept in the store is brought in once.
  if (const auto adopted = app::adopt_published_folder(store, impl_->options.published_folder, "serve"); !adopted) {
    spdlog::error("published folder {}: {}", impl_->options.published_folder, adopted.error().message);
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
  http.set_post_routing_handler(
      [impl = impl_.get()](const httplib::Request& req, httplib::Response& res) { impl->after_routing(req, res); });
  // httplib's default sets SO_REUSEPORT, which lets a second server bind the same port and
  // silently share its traffic; SO_REUSEADDR alone allows quick restarts and refuses that.
  http.set_socket_options([](int socket) {
    int yes = 1;
    setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  http.set_error_handler(&Impl::fill_error);
  http.set_exception_handler([](const httplib::Request& req, httplib::Response& res, std::exception_ptr) {
    spdlog::error("{} {}: unhandled exception", req.method, req.path);
    send_error(req, res, 500, "internal", "internal error");
  });
  // One line per request; the path only, never the query string or body.
  http.set_logger([](const httplib::Request& req, const httplib::Response& res) {
    spdlog::info("{} {} {} {}B", req.method, req.path, res.status, res.body.size());
  });
  impl_->declare_routes();
  impl_->declare_staff_routes();
  impl_->declare_estimate_routes();
  impl_->declare_sdc_routes();
  impl_->declare_linkage_routes();
  // Queued jobs, this node's and other nodes' alike, run here once their kinds are known.
  impl_->declare_job_handlers();
  if (impl_->options.workspace != nullptr) impl_->jobs.start_workers();
}

Server::~Server() = default;

void Server::Impl::after_routing(const httplib::Request& req, httplib::Response& res) const {
  // Dynamic responses are not cached unless a handler says otherwise (static assets do).
  if (!res.has_header("Cache-Control")) {
    res.set_header("Cache-Control", "no-store");
  }
  // A language chosen with ?lang= holds for the following pages, links and redirects too.
  if (const std::string asked = req.get_param_value("lang"); asked == "nl" || asked == "en") {
    res.set_header("Set-Cookie", fmt::format("rapporteur_lang={}; Path=/; HttpOnly; SameSite=Lax; Max-Age=31536000{}",
                                             asked, secure(req) ? "; Secure" : ""));
  }
}

void Server::Impl::fill_error(const httplib::Request& req, httplib::Response& res) {
  if (res.body.empty()) {
    const bool not_found = res.status == 404;
    send_error(req, res, res.status, not_found ? "not_found" : "bad_request",
               not_found           ? "not found"
               : res.status == 413 ? "request too large"
                                   : "bad request");
  }
}

LocalResponse Server::handle(const LocalRequest& request) {
  httplib::Request req;
  req.method = request.method;
  req.remote_addr = request.remote_address;
  const std::size_t query_at = request.target.find('?');
  req.target = request.target;
  req.path = httplib::detail::decode_url(request.target.substr(0, query_at), false);
  if (query_at != std::string::npos) {
    httplib::detail::parse_query_text(request.target.substr(query_at + 1), req.params);
  }
  for (const auto& [name, value] : request.headers) req.headers.emplace(name, value);
  req.body = request.body;
  if (req.get_header_value("Content-Type").starts_with("application/x-www-form-urlencoded")) {
    httplib::detail::parse_query_text(req.body, req.params);
  }
  httplib::Response res;
  res.status = 404;
  for (const Impl::LocalRoute& route : impl_->local_routes) {
    if (route.method != req.method || !std::regex_match(req.path, req.matches, route.pattern)) continue;
    res.status = 200;
    try {
      route.guarded(req, res);
    } catch (...) {
      spdlog::error("{} {}: unhandled exception", req.method, req.path);
      send_error(req, res, 500, "internal", "internal error");
    }
    break;
  }
  if (res.status >= 400) Impl::fill_error(req, res);
  impl_->after_routing(req, res);
  LocalResponse out;
  out.status = res.status;
  out.body = std::move(res.body);
  for (const auto& [name, value] : res.headers) out.headers.emplace_back(name, value);
  return out;
}

std::string LocalResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && std::equal(key.begin(), key.end(), name.begin(),
                                                [](char a, char b) { return std::tolower(a) == std::tolower(b); })) {
      return value;
    }
  }
  return "";
}

Result<int> Server::bind() {
  const ServerOptions& o = impl_->options;
  int port = o.port;
  if (o.port == 0) {
    port = impl_->http.bind_to_any_port(o.host);
  } else if (!impl_->http.bind_to_port(o.host, o.port)) {
    port = -1;
  }
  if (port < 0) {
    return fail(ErrorCode::kIo, fmt::format("cannot listen on {}:{} (address in use or invalid)", o.host, o.port));
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
  // A stopping node takes no more queued jobs (another node will); the ones it runs end
  // before the server is destroyed.
  impl_->jobs.stop_claiming();
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

std::string internal::serve_bytes(Server& server, std::string_view bytes) {
  constexpr std::size_t kRequestsPerConnection = 4;
  return server.impl_->http.serve_bytes(bytes, kRequestsPerConnection);
}

}  // namespace rapporteur::web
