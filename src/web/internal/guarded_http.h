// cpp-httplib's server with the limits a public server needs against slow and greedy
// clients: a deadline for each whole request (header and body), bounded keep-alive, and a cap
// on the connections one address may hold open. Internal to web: httplib stays in this
// library.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include <httplib.h>

#include "web/web.h"

namespace rapporteur::web::internal {

// Thread safety: as httplib::Server (handlers run on pool threads); the per-address counts
// are guarded by a mutex.
class GuardedHttpServer : public httplib::Server {
 public:
  explicit GuardedHttpServer(ConnectionLimits limits);

  const ConnectionLimits& limits() const { return limits_; }

  // After bind_to_port: httplib listens with a backlog of 5, so a burst of connections (a
  // page's assets, a load test, slow clients) overflows it and each overflow costs the client
  // a SYN retry of a second or more. Linux lets listen() be called again to widen it.
  void widen_backlog();

  // Handles the requests in `bytes` as if they had arrived on one connection (at most
  // `max_requests` of them) and returns what the server would have written back. No socket:
  // for the fuzz target (fuzz/http_request.cpp) and tests.
  std::string serve_bytes(std::string_view bytes, std::size_t max_requests);

 private:
  // Replaces httplib's connection loop (the same loop, with the limits above).
  bool process_and_close_socket(socket_t sock) override;
  bool acquire(const std::string& address);
  void release(const std::string& address);
  // Waits up to `wait` for the next request's first byte; false when it does not come or the
  // server stops.
  bool wait_for_request(socket_t sock, std::chrono::milliseconds wait) const;

  ConnectionLimits limits_;
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> open_;  // Address -> connections held.
};

}  // namespace rapporteur::web::internal
