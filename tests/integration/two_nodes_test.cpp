// Two server processes on one PostgreSQL database, as docs/deployment.md runs them: what one
// node records (sessions, sign-outs, lock-outs) the other honours, and both serve what the
// database holds. Needs RAPPORTEUR_TEST_POSTGRES_URL (scripts/test sets it); skips without.
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "auth/auth.h"
#include "integration/process.h"
#include "store/store.h"
#include "store/store_backends.h"
#include "test_support.h"

namespace {

using rapporteur::store::testing::PostgresSchema;
using rapporteur::testing::Process;
using rapporteur::testing::TempDir;

constexpr const char* kPassword = "correct horse battery staple";

// A node serving the instance at `url` with the shared files folder and a search index of its
// own; reads its port from the line it prints when it listens.
class Node {
 public:
  Node(const std::string& url, const std::filesystem::path& files, const std::filesystem::path& kb)
      : process_({"--log-level", "warn", "--db", url, "--files", files.string(), "--kb", kb.string(), "serve", "--port",
                  "0"}) {
    const std::string line = process_.read_line();
    const auto colon = line.rfind(':');
    if (colon != std::string::npos) port_ = std::stoi(line.substr(colon + 1));
    EXPECT_GT(port_, 0) << line;
    EXPECT_EQ(line.find("s3cret"), std::string::npos) << "the URL's password is not printed";
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port_); }

 private:
  Process process_;
  int port_ = 0;
};

// Signs in on `node` with the double-submit CSRF token the form carries; returns the session
// cookie's value ("" when refused) and the status.
std::pair<std::string, int> sign_in(const Node& node, const std::string& password) {
  auto client = node.client();
  const httplib::Headers headers = {{"Cookie", "rapporteur_csrf=testtoken"}};
  const auto res = client.Post("/aanmelden", headers,
                               httplib::Params{{"name", "anna"}, {"password", password}, {"csrf", "testtoken"}});
  if (!res) return {"", 0};
  const std::string set_cookie = res->get_header_value("Set-Cookie");
  const std::string prefix = "rapporteur_session=";
  if (!set_cookie.starts_with(prefix)) return {"", res->status};
  return {set_cookie.substr(prefix.size(), set_cookie.find(';') - prefix.size()), res->status};
}

int staff_status(const Node& node, const std::string& session) {
  auto client = node.client();
  const auto res = client.Get("/staff", httplib::Headers{{"Cookie", "rapporteur_session=" + session}});
  return res ? res->status : 0;
}

class TwoNodes : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    schema_ = PostgresSchema::create(skip);
    if (!skip.empty()) GTEST_SKIP() << skip;
    ASSERT_NE(schema_, nullptr);
    Process init({"--db", schema_->url(), "--files", (dir_ / "files").string(), "init"});
    ASSERT_EQ(WEXITSTATUS(init.wait()), 0) << init.read_all_stderr();
    auto store = rapporteur::store::open_store(schema_->url());
    ASSERT_TRUE(store.has_value()) << store.error().message;
    rapporteur::auth::Auth auth(**store);
    ASSERT_TRUE(auth.add_user("anna", rapporteur::store::UserRole::kAdmin, kPassword));
    first_ = std::make_unique<Node>(schema_->url(), dir_ / "files", dir_ / "kb-1");
    second_ = std::make_unique<Node>(schema_->url(), dir_ / "files", dir_ / "kb-2");
  }

  TempDir dir_;
  std::unique_ptr<PostgresSchema> schema_;
  std::unique_ptr<Node> first_;
  std::unique_ptr<Node> second_;
};

TEST_F(TwoNodes, ASignInOnOneIsValidOnTheOtherAndASignOutEndsItOnBoth) {
  const auto [session, status] = sign_in(*first_, kPassword);
  ASSERT_FALSE(session.empty()) << "sign-in answered " << status;

  const int on_first = staff_status(*first_, session);
  const int on_second = staff_status(*second_, session);
  auto client = second_->client();
  // The sign-out form carries the session's CSRF token; the staff page shows it.
  const auto page = client.Get("/staff", httplib::Headers{{"Cookie", "rapporteur_session=" + session}});
  ASSERT_TRUE(page);
  const auto at = page->body.find("name=\"csrf\" value=\"");
  ASSERT_NE(at, std::string::npos);
  const std::string csrf = page->body.substr(at + 19, page->body.find('"', at + 19) - at - 19);
  const auto signed_out = client.Post("/afmelden", httplib::Headers{{"Cookie", "rapporteur_session=" + session}},
                                      httplib::Params{{"csrf", csrf}});

  EXPECT_EQ(on_first, 200);
  EXPECT_EQ(on_second, 200);
  ASSERT_TRUE(signed_out);
  EXPECT_EQ(signed_out->status, 303);  // See Other, to the home page.
  EXPECT_EQ(staff_status(*first_, session), 401);
  EXPECT_EQ(staff_status(*second_, session), 401);
}

TEST_F(TwoNodes, ALockOutEarnedOnOneHoldsOnTheOther) {
  // AuthOptions: five consecutive failures lock the account for a quarter of an hour.
  for (int i = 0; i < 5; ++i) EXPECT_EQ(sign_in(*first_, "wrong password " + std::to_string(i)).second, 401);

  const auto [session, status] = sign_in(*second_, kPassword);

  EXPECT_TRUE(session.empty());
  EXPECT_EQ(status, 401);
}

TEST_F(TwoNodes, APublicationInTheDatabaseIsServedByBoth) {
  auto store = rapporteur::store::open_store(schema_->url()).value();
  rapporteur::Publication p;
  p.slug = "monitor-2023";
  p.title = "Slachtoffermonitor 2023";
  p.type = rapporteur::PublicationType::kMonitor;
  p.date = "2023-10-01";
  p.language = "nl";
  p.mandates = {rapporteur::Mandate::kHumanTrafficking};
  ASSERT_TRUE(store->put_publication(p));

  auto first = first_->client();
  auto second = second_->client();
  const auto from_first = first.Get("/api/v1/publications/monitor-2023");
  const auto from_second = second.Get("/api/v1/publications/monitor-2023");

  ASSERT_TRUE(from_first);
  ASSERT_TRUE(from_second);
  EXPECT_EQ(from_first->status, 200);
  EXPECT_EQ(from_second->status, 200);
  EXPECT_EQ(nlohmann::json::parse(from_second->body)["title"], "Slachtoffermonitor 2023");
  EXPECT_EQ(from_first->body, from_second->body);
}

// Each node keeps its own search index: a publication added through one node's index is
// found by a search on the other (its index catches up with the database's generation).
TEST_F(TwoNodes, APublicationAddedOnOneIsFoundBySearchingTheOther) {
  std::filesystem::create_directories(dir_ / "docs");
  {
    std::ofstream out(dir_ / "docs" / "zeehond.md");
    out << "# Zeehondencreche\n\nDe zeehondencreche in Pieterburen.\n";
  }
  Process add({"--db", schema_->url(), "--files", (dir_ / "files").string(), "--kb", (dir_ / "kb-1").string(), "kb",
               "add", (dir_ / "docs").string(), "--type", "news", "--date", "2024-05-01"});
  ASSERT_EQ(WEXITSTATUS(add.wait()), 0) << add.read_all_stderr();

  auto second = second_->client();
  const auto found = second.Get("/api/v1/search?q=zeehondencreche");

  ASSERT_TRUE(found);
  ASSERT_EQ(found->status, 200) << found->body;
  EXPECT_EQ(nlohmann::json::parse(found->body)["total"], 1) << found->body;
}

}  // namespace
