#include "web/internal/guarded_http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string_view>

namespace rapporteur::web::internal {
namespace {

using Clock = std::chrono::steady_clock;

std::string address_text(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(address);
    inet_ntop(AF_INET, &v4.sin_addr, text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(address);
    inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text));
  }
  return text;
}

int port_of(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
  return 0;
}

// Polls one socket for `events`, retrying on EINTR; true when ready within `wait`.
bool ready(int sock, short events, std::chrono::milliseconds wait) {
  const auto until = Clock::now() + wait;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    pollfd p{sock, events, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::max<std::int64_t>(0, left.count())));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}

// httplib's Stream over a socket whose reads share one deadline: the request's.
class DeadlineStream final : public httplib::Stream {
 public:
  DeadlineStream(int sock, std::chrono::milliseconds write_timeout) : sock_(sock), write_timeout_(write_timeout) {}

  void set_deadline(Clock::time_point deadline) { deadline_ = deadline; }

  bool is_readable() const override { return ready(sock_, POLLIN, left()); }
  bool is_writable() const override { return ready(sock_, POLLOUT, write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (!is_readable()) return -1;
    for (;;) {
      const ssize_t n = ::recv(sock_, ptr, size, 0);
      if (n >= 0 || errno != EINTR) return n;
    }
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    for (;;) {
      const ssize_t n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
      if (n >= 0 || errno != EINTR) return n;
    }
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&address), &length) != 0) return;
    ip = address_text(address);
    port = port_of(address);
  }

  void get_local_ip_and_port(std::string& ip, int& port) const override {
    sockaddr_storage address{};
    socklen_t length = sizeof(address);
    if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&address), &length) != 0) return;
    ip = address_text(address);
    port = port_of(address);
  }

  socket_t socket() const override { return sock_; }

 private:
  std::chrono::milliseconds left() const {
    return std::max(std::chrono::milliseconds(0),
                    std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now()));
  }

  int sock_;
  std::chrono::milliseconds write_timeout_;
  Clock::time_point deadline_ = Clock::now();
};

// A connection whose request bytes are all there at once and whose replies are collected.
class MemoryStream final : public httplib::Stream {
 public:
  explicit MemoryStream(std::string_view input) : input_(input) {}

  bool at_end() const { return input_.empty(); }
  std::string& output() { return output_; }

  bool is_readable() const override { return true; }
  bool is_writable() const override { return true; }

  ssize_t read(char* ptr, size_t size) override {
    const std::size_t n = std::min(size, input_.size());
    std::copy_n(input_.data(), n, ptr);
    input_.remove_prefix(n);
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    output_.append(ptr, size);
    return static_cast<ssize_t>(size);
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "192.0.2.1";  // TEST-NET-1 (RFC 5737).
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 8080;
  }
  socket_t socket() const override { return INVALID_SOCKET; }

 private:
  std::string_view input_;
  std::string output_;
};

void close_socket(int sock) {
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
}

}  // namespace

GuardedHttpServer::GuardedHttpServer(ConnectionLimits limits) : limits_(limits) {
  const std::size_t threads = limits_.threads;
  // httplib takes ownership of the queue it is given.
  new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
}

void GuardedHttpServer::widen_backlog() {
  const socket_t sock = svr_sock_;
  if (sock != INVALID_SOCKET) ::listen(sock, SOMAXCONN);
}

std::string GuardedHttpServer::serve_bytes(std::string_view bytes, std::size_t max_requests) {
  MemoryStream stream(bytes);
  for (std::size_t left = max_requests; left > 0 && !stream.at_end(); --left) {
    bool connection_closed = false;
    if (!process_request(stream, /*close_connection=*/left == 1, connection_closed, [](httplib::Request&) {})) break;
    if (connection_closed) break;
  }
  return std::move(stream.output());
}

bool GuardedHttpServer::acquire(const std::string& address) {
  const std::lock_guard lock(mutex_);
  std::size_t& held = open_[address];
  if (limits_.per_address > 0 && held >= limits_.per_address) {
    if (held == 0) open_.erase(address);
    return false;
  }
  ++held;
  return true;
}

void GuardedHttpServer::release(const std::string& address) {
  const std::lock_guard lock(mutex_);
  const auto found = open_.find(address);
  if (found == open_.end()) return;
  if (--found->second == 0) open_.erase(found);
}

bool GuardedHttpServer::wait_for_request(socket_t sock, std::chrono::milliseconds wait) const {
  // In slices, so that a stopping server does not wait for idle connections.
  constexpr std::chrono::milliseconds kSlice{100};
  const auto until = Clock::now() + wait;
  while (svr_sock_ != INVALID_SOCKET) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now());
    if (left <= std::chrono::milliseconds(0)) return false;
    pollfd p{sock, POLLIN, 0};
    const int n = ::poll(&p, 1, static_cast<int>(std::min(left, kSlice).count()));
    if (n > 0) return true;
    if (n < 0 && errno != EINTR) return false;
  }
  return false;
}

bool GuardedHttpServer::process_and_close_socket(socket_t sock) {
  sockaddr_storage peer{};
  socklen_t length = sizeof(peer);
  const std::string address =
      ::getpeername(sock, reinterpret_cast<sockaddr*>(&peer), &length) == 0 ? address_text(peer) : std::string();
  if (!acquire(address)) {
    // Best effort and without waiting: the client is told to come back, its socket closed.
    constexpr std::string_view kBusy =
        "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    (void)::send(sock, kBusy.data(), kBusy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    close_socket(sock);
    return false;
  }
  DeadlineStream stream(sock, limits_.write_timeout);
  bool ok = false;
  for (std::size_t left = limits_.keep_alive_requests; left > 0; --left) {
    const bool first = left == limits_.keep_alive_requests;
    if (!wait_for_request(sock, first ? limits_.request_deadline : limits_.keep_alive_idle)) break;
    stream.set_deadline(Clock::now() + limits_.request_deadline);
    bool connection_closed = false;
    ok = process_request(stream, /*close_connection=*/left == 1, connection_closed, [](httplib::Request&) {});
    if (!ok || connection_closed) break;
  }
  release(address);
  close_socket(sock);
  return ok;
}

}  // namespace rapporteur::web::internal
