// The routes answered in-process (Server::handle), with no socket: the same access rules,
// CSRF check, error bodies and pages as over HTTP — checked against a server answering the
// same requests on a loopback socket.
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "auth/auth.h"
#include "store/store.h"
#include "test_support.h"
#include "web/web.h"

namespace rapporteur::web {
namespace {

using nlohmann::json;
using rapporteur::testing::TempDir;

// A concrete path for a parameterised route: each group replaced by the first candidate the
// whole pattern accepts.
std::string sample_path(const RouteInfo& route) {
  const std::regex whole(route.pattern);
  std::string path = route.pattern;
  const std::regex group(R"(\((?:[^()]|\([^()]*\))*\))");
  std::smatch found;
  while (std::regex_search(path, found, group)) {
    const std::string before = found.prefix().str();
    const std::string after = found.suffix().str();
    std::string chosen = "x";
    for (const char* candidate :
         {"x", "1", "csv", "style.css", "jaarverslag-2023.pdf", "beoordeling-t.csv", "patroon-a.csv", "nl"}) {
      const std::regex part("^" + found.str() + "$");
      if (std::regex_match(std::string(candidate), part)) {
        chosen = candidate;
        break;
      }
    }
    path = before + chosen + after;
  }
  return path;
}

class HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    auth_ = std::make_unique<auth::Auth>(*store_);
    ASSERT_TRUE(auth_->add_user("eva", store::UserRole::kEditor, "wachtwoord-eva-123").has_value());
    ASSERT_TRUE(store_->put_publication({"p1",
                                         "Monitor <script>alert(1)</script> & co",
                                         PublicationType::kMonitor,
                                         "2024-01-02",
                                         "nl",
                                         {Mandate::kHumanTrafficking},
                                         "samenvatting"}));
    ServerOptions options{.host = "127.0.0.1", .port = 0};
    options.auth = auth_.get();
    server_ = std::make_unique<Server>(*store_, options);
  }

  // The same request over a socket to a second server on the same store.
  httplib::Result over_socket(const std::string& method, const std::string& target, const httplib::Headers& headers,
                              const std::string& body = {}) {
    ServerOptions options{.host = "127.0.0.1", .port = 0};
    options.auth = auth_.get();
    Server server(*store_, options);
    const int port = server.bind().value();
    std::thread serving([&server] { (void)server.serve(); });
    httplib::Client client("127.0.0.1", port);
    auto res = method == "GET" ? client.Get(target, headers)
                               : client.Post(target, headers, body, "application/x-www-form-urlencoded");
    server.stop();
    serving.join();
    return res;
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Auth> auth_;
  std::unique_ptr<Server> server_;
};

TEST_F(HandlerTest, AnonymousRequestsToEveryNonPublicRouteAreRefusedWithoutASocket) {
  int checked = 0;
  for (const RouteInfo& route : server_->routes()) {
    if (route.access == Access::kPublic) continue;
    const std::string path = sample_path(route);
    ASSERT_TRUE(std::regex_match(path, std::regex(route.pattern))) << route.pattern << " -> " << path;

    const LocalResponse res = server_->handle({.method = route.method, .target = path});

    EXPECT_EQ(res.status, 401) << route.method << " " << path;
    ++checked;
  }
  EXPECT_GE(checked, 15);
}

TEST_F(HandlerTest, APageAnswersInProcessAsItDoesOverTheSocket) {
  for (const std::string target :
       {"/", "/healthz", "/api/v1/publications", "/api/v1/publications/p1", "/api/v1/publications/onbekend",
        "/bestaat-niet", "/api/v1/bestaat-niet", "/aanbevelingen?lang=en", "/staff"}) {
    const LocalResponse local = server_->handle({.target = target});
    const auto remote = over_socket("GET", target, {});

    ASSERT_TRUE(remote) << target;
    EXPECT_EQ(local.status, remote->status) << target;
    if (target != "/healthz") {  // /healthz reports uptime.
      EXPECT_EQ(local.body, remote->body) << target;
    }
    EXPECT_EQ(local.header("Cache-Control"), remote->get_header_value("Cache-Control")) << target;
    EXPECT_EQ(local.header("Set-Cookie"), remote->get_header_value("Set-Cookie")) << target;
  }
}

TEST_F(HandlerTest, MarkupInStoredTextIsEscapedInProcessToo) {
  const LocalResponse res = server_->handle({.target = "/"});

  EXPECT_EQ(res.status, 200);
  EXPECT_EQ(res.body.find("<script>alert(1)"), std::string::npos);
  EXPECT_NE(res.body.find("&lt;script&gt;"), std::string::npos);
}

TEST_F(HandlerTest, ASignedInFormWithoutItsCsrfTokenIsRefusedAndWithItAccepted) {
  const auto signed_in = auth_->sign_in("eva", "wachtwoord-eva-123");
  ASSERT_TRUE(signed_in.has_value());
  const std::pair<std::string, std::string> cookie{"Cookie", "rapporteur_session=" + signed_in->token};
  const std::pair<std::string, std::string> form{"Content-Type", "application/x-www-form-urlencoded"};

  const LocalResponse without =
      server_->handle({.method = "POST", .target = "/afmelden", .headers = {cookie, form}, .body = "csrf=wrong"});
  ASSERT_TRUE(auth_->session(signed_in->token).has_value());
  const LocalResponse with = server_->handle({.method = "POST",
                                              .target = "/afmelden",
                                              .headers = {cookie, form},
                                              .body = "csrf=" + signed_in->session.csrf_token});

  EXPECT_EQ(without.status, 403);
  EXPECT_EQ(with.status, 303);
  EXPECT_FALSE(auth_->session(signed_in->token).has_value());
}

TEST_F(HandlerTest, TheWrongRoleIsRefusedInProcess) {
  const auto signed_in = auth_->sign_in("eva", "wachtwoord-eva-123");
  ASSERT_TRUE(signed_in.has_value());
  const std::pair<std::string, std::string> cookie{"Cookie", "rapporteur_session=" + signed_in->token};

  EXPECT_EQ(server_->handle({.target = "/staff", .headers = {cookie}}).status, 200);
  EXPECT_EQ(server_->handle({.target = "/staff/gebruikers", .headers = {cookie}}).status, 403);
  EXPECT_EQ(server_->handle({.target = "/api/v1/registrations/counts", .headers = {cookie}}).status, 403);
  const json error = json::parse(server_->handle({.target = "/api/v1/registrations/counts", .headers = {cookie}}).body);
  EXPECT_EQ(error["error"]["code"], "forbidden");
}

}  // namespace
}  // namespace rapporteur::web
