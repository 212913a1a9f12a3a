// Two server processes on one PostgreSQL database, as docs/deployment.md runs them: what one
// node records (sessions, sign-outs, lock-outs, failed sign-ins per address) the other honours,
// both serve what the database holds, and jobs queued on either are run once by one of them. Needs
// RAPPORTEUR_TEST_POSTGRES_URL (scripts/test sets it); skips without.
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "auth/auth.h"
#include "integration/process.h"
#include "store/store.h"
#include "store/store_backends.h"
#include "tables/release.h"
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
  Node(const std::string& url, const std::filesystem::path& files, const std::filesystem::path& kb,
       const std::vector<std::string>& serve_options = {})
      : process_(arguments(url, files, kb, serve_options)) {
    const std::string line = process_.read_line();
    const auto colon = line.rfind(':');
    if (colon != std::string::npos) port_ = std::stoi(line.substr(colon + 1));
    EXPECT_GT(port_, 0) << line;
    EXPECT_EQ(line.find("s3cret"), std::string::npos) << "the URL's password is not printed";
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port_); }

 private:
  static std::vector<std::string> arguments(const std::string& url, const std::filesystem::path& files,
                                            const std::filesystem::path& kb,
                                            const std::vector<std::string>& serve_options) {
    std::vector<std::string> args = {"--log-level", "warn",      "--db",  url,      "--files", files.string(),
                                     "--kb",        kb.string(), "serve", "--port", "0"};
    args.insert(args.end(), serve_options.begin(), serve_options.end());
    return args;
  }

  Process process_;
  int port_ = 0;
};

// Signs in on `node` with the double-submit CSRF token the form carries; returns the session
// cookie's value ("" when refused) and the status.
std::pair<std::string, int> sign_in(const Node& node, const std::string& password, const std::string& name = "anna") {
  auto client = node.client();
  const httplib::Headers headers = {{"Cookie", "rapporteur_csrf=testtoken"}};
  const auto res = client.Post("/aanmelden", headers,
                               httplib::Params{{"name", name}, {"password", password}, {"csrf", "testtoken"}});
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
    first_ = std::make_unique<Node>(schema_->url(), dir_ / "files", dir_ / "kb-1", serve_options(1));
    second_ = std::make_unique<Node>(schema_->url(), dir_ / "files", dir_ / "kb-2", serve_options(2));
  }
  // The `serve` options of node 1 or 2 besides the port.
  virtual std::vector<std::string> serve_options(int /*node*/) const { return {}; }

  TempDir dir_;
  std::unique_ptr<PostgresSchema> schema_;
  std::unique_ptr<Node> first_;
  std::unique_ptr<Node> second_;
};

// The staff page's CSRF token for `session` on `node` ("" when it has none).
std::string csrf_of(const Node& node, const std::string& session) {
  auto client = node.client();
  const auto page = client.Get("/staff", httplib::Headers{{"Cookie", "rapporteur_session=" + session}});
  if (!page) return "";
  const auto at = page->body.find("name=\"csrf\" value=\"");
  if (at == std::string::npos) return "";
  return page->body.substr(at + 19, page->body.find('"', at + 19) - at - 19);
}

// Queues a rebuild of the search index through `node`'s staff page; returns the job's id (0
// when refused).
std::int64_t queue_rebuild(const Node& node, const std::string& session, const std::string& csrf) {
  auto client = node.client();
  const auto res =
      client.Post("/staff/kennisbank/herbouwen", httplib::Headers{{"Cookie", "rapporteur_session=" + session}},
                  httplib::Params{{"csrf", csrf}});
  if (!res) return 0;
  EXPECT_EQ(res->status, 303) << res->body;
  if (res->status != 303) return 0;
  const std::string location = res->get_header_value("Location");
  return std::stoll(location.substr(location.rfind('/') + 1));
}

// Waits (polling the database) until job `id` has ended; returns it as stored.
rapporteur::store::JobRecord ended_job(rapporteur::store::Store& store, std::int64_t id) {
  auto job = store.job(id).value();
  for (int i = 0; i < 1200 && (job.status == "queued" || job.status == "running"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    job = store.job(id).value();
  }
  return job;
}

// Node 1 has no job workers (serve --job-workers 0): a job queued through it is claimed and
// run by node 2, once.
class TwoNodesOneWithoutWorkers : public TwoNodes {
 protected:
  std::vector<std::string> serve_options(int node) const override {
    if (node == 1) return {"--node", "web-1", "--job-workers", "0"};
    return {"--node", "web-2"};
  }
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

// Releases and attached files are kept in the database: a release published by another
// process (through the store alone, no folder), and a file attached through node 1's
// knowledge base, are served byte for byte by both nodes.
TEST_F(TwoNodes, AReleaseAndAnAttachedFilePublishedElsewhereAreServedByBoth) {
  auto store = rapporteur::store::open_store(schema_->url()).value();
  const std::string json = R"({"name": "t1", "title": "Slachtoffers naar geslacht", "dimensions": [], "cells": []})";
  const rapporteur::tables::ReleaseTable table{"t1", "sex,value\nF,12\n", json,
                                               [](const std::filesystem::path& path) -> rapporteur::Result<void> {
                                                 std::ofstream(path) << "xlsx";
                                                 return rapporteur::ok();
                                               }};
  ASSERT_TRUE(rapporteur::tables::publish_release(*store, {table}).has_value());
  std::filesystem::create_directories(dir_ / "docs");
  {
    std::ofstream out(dir_ / "docs" / "zeehond.md");
    out << "# Zeehondencreche\n\nDe zeehondencreche in Pieterburen.\n";
  }
  Process add({"--db", schema_->url(), "--files", (dir_ / "files").string(), "--kb", (dir_ / "kb-1").string(), "kb",
               "add", (dir_ / "docs" / "zeehond.md").string(), "--type", "news", "--date", "2024-05-01", "--slug",
               "zeehond"});
  ASSERT_EQ(WEXITSTATUS(add.wait()), 0) << add.read_all_stderr();

  auto first = first_->client();
  auto second = second_->client();
  const auto table_first = first.Get("/api/v1/tables/t1");
  const auto table_second = second.Get("/api/v1/tables/t1");
  const auto file_second = second.Get("/publicaties/zeehond/bestand");

  ASSERT_TRUE(table_first && table_second && file_second);
  EXPECT_EQ(table_first->status, 200) << table_first->body;
  EXPECT_EQ(table_second->status, 200) << table_second->body;
  EXPECT_EQ(table_second->body, json);
  EXPECT_EQ(file_second->status, 200);
  EXPECT_EQ(file_second->body, "# Zeehondencreche\n\nDe zeehondencreche in Pieterburen.\n");
}

TEST_F(TwoNodesOneWithoutWorkers, AJobQueuedOnANodeWithoutWorkersIsRunByTheOtherOnce) {
  const auto [session, status] = sign_in(*first_, kPassword);
  ASSERT_FALSE(session.empty()) << "sign-in answered " << status;
  const std::string csrf = csrf_of(*first_, session);
  ASSERT_FALSE(csrf.empty());
  auto store = rapporteur::store::open_store(schema_->url()).value();

  const std::int64_t id = queue_rebuild(*first_, session, csrf);
  ASSERT_GT(id, 0);
  const auto job = ended_job(*store, id);
  auto client = first_->client();
  const auto seen_on_first = client.Get("/api/v1/staff/jobs/" + std::to_string(id),
                                        httplib::Headers{{"Cookie", "rapporteur_session=" + session}});

  EXPECT_EQ(job.status, "done") << job.messages;
  EXPECT_EQ(job.node, "web-2");
  EXPECT_EQ(job.kind, "kb_rebuild");
  EXPECT_EQ(job.owner, "anna");
  ASSERT_TRUE(seen_on_first);
  EXPECT_EQ(nlohmann::json::parse(seen_on_first->body)["status"], "done");
}

// Jobs queued through both nodes (both with workers) each end once, done, wherever they ran.
TEST_F(TwoNodes, ManyJobsQueuedOnBothNodesEachFinishOnce) {
  const auto [session, status] = sign_in(*first_, kPassword);
  ASSERT_FALSE(session.empty()) << "sign-in answered " << status;
  const std::string csrf_first = csrf_of(*first_, session);
  const std::string csrf_second = csrf_of(*second_, session);
  auto store = rapporteur::store::open_store(schema_->url()).value();
  constexpr int kJobs = 12;

  std::vector<std::int64_t> ids;
  for (int i = 0; i < kJobs; ++i) {
    ids.push_back(i % 2 == 0 ? queue_rebuild(*first_, session, csrf_first)
                             : queue_rebuild(*second_, session, csrf_second));
  }
  std::set<std::string> nodes;
  for (const std::int64_t id : ids) {
    ASSERT_GT(id, 0);
    const auto job = ended_job(*store, id);
    EXPECT_EQ(job.status, "done") << "job " << id << ": " << job.messages;
    EXPECT_FALSE(job.node.empty());
    nodes.insert(job.node);
  }
  const auto all = store->jobs(100).value();

  EXPECT_EQ(static_cast<int>(std::set<std::int64_t>(ids.begin(), ids.end()).size()), kJobs);
  EXPECT_EQ(static_cast<int>(all.size()), kJobs);  // Each queued once, none added by a rerun.
  EXPECT_LE(nodes.size(), 2u);
}

// The address throttle (ThrottleOptions: 20 failures in a quarter of an hour) counts the
// failures of both nodes together: 10 on each lock the address out on both. Unknown names, so
// that no account's own lock-out is involved.
TEST_F(TwoNodes, FailedSignInsSpreadOverTheNodesLockTheAddressOutOnBoth) {
  for (int i = 0; i < 20; ++i) {
    const Node& node = i % 2 == 0 ? *first_ : *second_;
    EXPECT_EQ(sign_in(node, "wrong", "nobody-" + std::to_string(i)).second, 401) << "attempt " << i;
  }

  const int on_first = sign_in(*first_, kPassword).second;
  const int on_second = sign_in(*second_, kPassword).second;

  EXPECT_EQ(on_first, 429);
  EXPECT_EQ(on_second, 429);
}

}  // namespace
