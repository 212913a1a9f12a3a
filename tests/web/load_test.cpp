// The server under concurrent use and abuse: many threads at once on search (with spelling
// suggestions and the English reading), table pages, the API and sign-in (run under
// ThreadSanitizer and ASan by scripts/test); slow clients that hold connections open; and
// failed sign-ins from one address. Each client is a raw socket bound to a chosen loopback
// source address (127.0.0.1 and 127.0.0.2 are both this machine).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <string_view>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "auth/auth.h"
#include "kb/kb.h"
#include "store/store.h"
#include "test_support.h"
#include "web/web.h"

namespace rapporteur::web {
namespace {

using rapporteur::testing::TempDir;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// A connected socket from `source` (a loopback address) to the server; -1 on failure.
int connect_from(const char* source, int port) {
  const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
  if (sock < 0) return -1;
  sockaddr_in from{};
  from.sin_family = AF_INET;
  inet_pton(AF_INET, source, &from.sin_addr);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<std::uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
  if (::bind(sock, reinterpret_cast<sockaddr*>(&from), sizeof(from)) != 0 ||
      ::connect(sock, reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0) {
    ::close(sock);
    return -1;
  }
  return sock;
}

// Reads until the peer closes or `timeout` passes; what arrived.
std::string read_all(int sock, std::chrono::milliseconds timeout) {
  std::string text;
  const auto until = Clock::now() + timeout;
  for (;;) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()).count();
    if (left <= 0) break;
    pollfd p{sock, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left)) <= 0) break;
    char buffer[8192];
    const ssize_t n = ::recv(sock, buffer, sizeof(buffer), 0);
    if (n <= 0) break;
    text.append(buffer, static_cast<std::size_t>(n));
  }
  return text;
}

struct Reply {
  int status = 0;  // 0: no answer.
  std::string head;
  std::string body;
};

// One HTTP/1.1 request with Connection: close from `source`.
Reply request(const char* source, int port, const std::string& method, const std::string& target,
              const std::string& extra_headers = "", const std::string& body = "",
              std::chrono::milliseconds timeout = std::chrono::milliseconds(20'000)) {
  Reply reply;
  const int sock = connect_from(source, port);
  if (sock < 0) return reply;
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra_headers;
  if (!body.empty() || method == "POST") text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  text += "\r\n" + body;
  (void)::send(sock, text.data(), text.size(), MSG_NOSIGNAL);
  const std::string answer = read_all(sock, timeout);
  ::close(sock);
  const auto end = answer.find("\r\n\r\n");
  if (answer.size() < 12 || end == std::string::npos) return reply;
  reply.status = std::stoi(answer.substr(9, 3));
  reply.head = answer.substr(0, end);
  reply.body = answer.substr(end + 4);
  return reply;
}

// The values of the header lines called `name` (case-insensitive), in order. Plain string
// scanning rather than std::regex: these run on many threads at once, and compiling a regex
// there races on libstdc++'s shared ctype cache (ThreadSanitizer reports it).
std::vector<std::string> header_values(const Reply& reply, std::string_view name) {
  std::vector<std::string> values;
  std::size_t start = reply.head.find("\r\n");
  while (start != std::string::npos) {
    start += 2;
    const std::size_t end = reply.head.find("\r\n", start);
    const std::string_view line =
        std::string_view(reply.head).substr(start, end == std::string::npos ? std::string::npos : end - start);
    const std::size_t colon = line.find(':');
    const auto same = [](char a, char b) {
      return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    };
    if (colon == name.size() && std::equal(name.begin(), name.end(), line.begin(), same)) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      values.emplace_back(value);
    }
    start = end;
  }
  return values;
}

std::string header_value(const Reply& reply, std::string_view name) {
  const auto values = header_values(reply, name);
  return values.empty() ? "" : values.front();
}

std::string set_cookie(const Reply& reply, const std::string& name) {
  for (const std::string& value : header_values(reply, "Set-Cookie")) {
    if (value.starts_with(name + "=")) return value.substr(name.size() + 1, value.find(';') - name.size() - 1);
  }
  return "";
}

// A sign-in from `source`: fetches the form's CSRF cookie, then posts name and password.
Reply sign_in(const char* source, int port, const std::string& name, const std::string& password) {
  const Reply form = request(source, port, "GET", "/aanmelden");
  const std::string csrf = set_cookie(form, "rapporteur_csrf");
  return request(source, port, "POST", "/aanmelden",
                 "Cookie: rapporteur_csrf=" + csrf + "\r\nContent-Type: application/x-www-form-urlencoded\r\n",
                 "csrf=" + csrf + "&name=" + name + "&password=" + password);
}

class LoadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    kb_ = std::move(*kb::KnowledgeBase::open(*store_, {.folder = dir_ / "kb"}));
    std::ofstream(dir_ / "studie.md") << "# Arbeidsuitbuiting in beeld\n\n"
                                         "Signalen van arbeidsuitbuiting bij arbeidsmigranten en mensenhandel.\n";
    std::ofstream(dir_ / "report.md") << "# Trafficking in human beings\n\n"
                                         "Victims of trafficking and labour exploitation were studied.\n";
    kb::Metadata dutch;
    dutch.type = PublicationType::kMonitor;
    dutch.date = "2023-03-20";
    const auto added = kb_->add_file(dir_ / "studie.md", dutch);
    ASSERT_TRUE(added.has_value()) << added.error().message;
    kb::Metadata english = dutch;
    english.language = "en";
    ASSERT_TRUE(kb_->add_file(dir_ / "report.md", english).has_value());
    auth_ = std::make_unique<auth::Auth>(*store_);
    ASSERT_TRUE(auth_->add_user("ada", store::UserRole::kAdmin, "wachtwoord-ada-123").has_value());
    std::filesystem::create_directories(dir_ / "published");
    std::ofstream(dir_ / "published" / "t1.json") << R"({"name": "t1", "title": "Slachtoffers naar geslacht",
      "title_en": "Victims by sex", "date": "2026-11-27", "sources": [], "footnotes": [],
      "rule": {"min_frequency": 10}, "dimensions": [{"name": "sex", "codes": [
        {"code": "T", "parent": null, "label": "totaal"}, {"code": "f", "parent": "T", "label": "vrouw"},
        {"code": "m", "parent": "T", "label": "man"}]}],
      "cells": [{"key": ["T"], "value": 12, "status": "safe"}, {"key": ["f"], "value": null, "status": "primary"},
                {"key": ["m"], "value": null, "status": "secondary"}]})";
    options_.host = "127.0.0.1";
    options_.port = 0;
    options_.knowledge_base = kb_.get();
    options_.auth = auth_.get();
    options_.published_folder = (dir_ / "published").string();
  }
  void TearDown() override {
    if (server_) {
      server_->stop();
      thread_.join();
    }
  }
  void start() {
    server_ = std::make_unique<Server>(*store_, options_);
    port_ = server_->bind().value();
    thread_ = std::thread([this] { (void)server_->serve(); });
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kb::KnowledgeBase> kb_;
  std::unique_ptr<auth::Auth> auth_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
};

// Issue #25: concurrent searches crashed the server (a Xapian query shared between threads).
TEST_F(LoadTest, ManyThreadsAtOnceGetCorrectAnswers) {
  start();
  const std::vector<std::pair<std::string, std::string>> targets = {
      {"/api/v1/search?q=arbeidsuitbuiting", "\"total\":2"},  // Both documents (Dutch and English).
      {"/api/v1/search?q=slachtofers", "\"suggestion\""},     // A misspelling: a suggestion.
      {"/api/v1/search?q=trafficking", "Trafficking in human beings"},
      {"/zoeken?q=mensenhandel", "Arbeidsuitbuiting in beeld"},
      {"/cijfers/t1", "Slachtoffers naar geslacht"},
      {"/api/v1/tables/t1", "\"name\": \"t1\""},
      {"/api/v1/publications", "\"slug\""},
      {"/healthz", "\"status\":\"ok\""},
  };
  constexpr int kThreads = 16;
  constexpr int kRounds = 12;
  std::atomic<int> wrong{0};
  std::atomic<int> answered{0};
  std::vector<std::thread> clients;

  for (int t = 0; t < kThreads; ++t) {
    clients.emplace_back([&, t] {
      for (int round = 0; round < kRounds; ++round) {
        if ((t + round) % 8 == 0) {
          const Reply reply =
              sign_in("127.0.0.1", port_, "ada", round % 2 == 0 ? "wachtwoord-ada-123" : "fout-fout-fout");
          const int expected = round % 2 == 0 ? 303 : 401;
          if (reply.status == expected)
            ++answered;
          else
            ++wrong;
          continue;
        }
        const auto& [target, needle] = targets[static_cast<std::size_t>(t + round) % targets.size()];
        const Reply reply = request("127.0.0.1", port_, "GET", target);
        if (reply.status == 200 && reply.body.find(needle) != std::string::npos)
          ++answered;
        else
          ++wrong;
      }
    });
  }
  for (auto& c : clients) c.join();

  EXPECT_EQ(wrong.load(), 0);
  EXPECT_EQ(answered.load(), kThreads * kRounds);
}

// Issue #25: 200 connections from one address that send part of a header and then nothing (or
// a line now and then) held every worker thread.
TEST_F(LoadTest, SlowClientsFromOneAddressDoNotStarveOthers) {
  options_.limits.request_deadline = std::chrono::milliseconds(4'000);
  options_.limits.per_address = 32;
  options_.limits.threads = 48;
  start();
  std::vector<int> slow;
  for (int i = 0; i < 200; ++i) {
    const int sock = connect_from("127.0.0.1", port_);
    ASSERT_GE(sock, 0);
    const std::string partial = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    (void)::send(sock, partial.data(), partial.size(), MSG_NOSIGNAL);
    slow.push_back(sock);
  }

  for (int i = 0; i < 3; ++i) {
    const auto start_time = Clock::now();
    const Reply health = request("127.0.0.2", port_, "GET", "/healthz", "", "", std::chrono::milliseconds(1'000));
    const Reply page = request("127.0.0.2", port_, "GET", "/cijfers/t1", "", "", std::chrono::milliseconds(1'000));
    const auto took = Clock::now() - start_time;

    EXPECT_EQ(health.status, 200);
    EXPECT_EQ(page.status, 200);
    EXPECT_LT(took, std::chrono::milliseconds(2'000));
    for (std::size_t s = 0; s < slow.size(); s += 4) {
      const std::string line = "X-Slow: 1\r\n";  // One more header line now and then.
      (void)::send(slow[s], line.data(), line.size(), MSG_NOSIGNAL);
    }
  }
  for (const int sock : slow) ::close(sock);
}

TEST_F(LoadTest, ARequestThatTricklesIsCutOffAtItsDeadline) {
  options_.limits.request_deadline = std::chrono::milliseconds(1'000);
  start();
  const int sock = connect_from("127.0.0.1", port_);
  ASSERT_GE(sock, 0);
  const auto start_time = Clock::now();

  // A header line every 300 ms: each read is quick, the whole request is not.
  bool closed = false;
  for (int i = 0; i < 20 && !closed; ++i) {
    const std::string line = i == 0 ? "GET /healthz HTTP/1.1\r\n" : "X-Slow: 1\r\n";
    if (::send(sock, line.data(), line.size(), MSG_NOSIGNAL) < 0) break;
    // Readable means the server answered or closed: either way it ended the request.
    pollfd p{sock, POLLIN, 0};
    closed = ::poll(&p, 1, 300) > 0;
  }
  const auto took = Clock::now() - start_time;
  ::close(sock);

  EXPECT_TRUE(closed) << "the server kept a trickling request open";
  EXPECT_LT(took, std::chrono::milliseconds(3'000));
}

TEST_F(LoadTest, ConnectionsOverTheCapOfOneAddressAreRefusedAtOnce) {
  options_.limits.per_address = 4;
  start();
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    held.push_back(connect_from("127.0.0.1", port_));
    const std::string partial = "GET /healthz HTTP/1.1\r\n";
    (void)::send(held.back(), partial.data(), partial.size(), MSG_NOSIGNAL);
  }
  // The fifth connection is refused only once the four are being served.
  Reply refused;
  for (int attempt = 0; attempt < 50 && refused.status != 503; ++attempt) {
    refused = request("127.0.0.1", port_, "GET", "/healthz", "", "", std::chrono::milliseconds(2'000));
  }
  const Reply other = request("127.0.0.2", port_, "GET", "/healthz");

  EXPECT_EQ(refused.status, 503);
  EXPECT_EQ(header_value(refused, "Retry-After"), "1");
  EXPECT_EQ(other.status, 200);
  for (const int sock : held) ::close(sock);
}

// Issue #25: 50 wrong passwords over 50 names from one address were all tried.
TEST_F(LoadTest, SignInIsThrottledPerAddressWithoutLockingOutOthers) {
  options_.sign_in_throttle.failures = 5;
  start();
  std::vector<int> statuses;

  for (int i = 0; i < 7; ++i) {
    statuses.push_back(
        sign_in("127.0.0.1", port_, "naam" + rapporteur::testing::letters(i), "geraden-wachtwoord").status);
  }
  const Reply refused = sign_in("127.0.0.1", port_, "ada", "wachtwoord-ada-123");
  const Reply elsewhere = sign_in("127.0.0.2", port_, "ada", "wachtwoord-ada-123");

  EXPECT_THAT(statuses, ::testing::ElementsAre(401, 401, 401, 401, 401, 429, 429));
  EXPECT_EQ(refused.status, 429) << "the right password does not lift the throttle";
  const std::string retry = header_value(refused, "Retry-After");
  ASSERT_FALSE(retry.empty());
  EXPECT_GT(std::stoi(retry), 0);
  EXPECT_LE(std::stoi(retry), 15 * 60);
  EXPECT_EQ(elsewhere.status, 303) << "another address signs in as usual";
}

}  // namespace
}  // namespace rapporteur::web
