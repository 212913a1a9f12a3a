#include "web/web.h"

#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "kb/kb.h"
#include "test_support.h"

namespace rapporteur::web {
namespace {

using nlohmann::json;
using rapporteur::testing::TempDir;

// A server on a free loopback port, serving in a background thread for one test.
class RunningServer {
 public:
  explicit RunningServer(store::Store& store, std::string published = {})
      : server_(store, {.host = "127.0.0.1", .port = 0, .published_folder = std::move(published)}) {
    port_ = server_.bind().value();
    thread_ = std::thread([this] { result_ = server_.serve(); });
  }
  ~RunningServer() {
    server_.stop();
    thread_.join();
  }
  httplib::Client client() const { return httplib::Client("127.0.0.1", port_); }
  Server& server() { return server_; }

 private:
  Server server_;
  int port_ = 0;
  std::thread thread_;
  Result<void> result_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_sqlite_store(dir_ / "web.db");
    ASSERT_TRUE(opened.has_value());
    store_ = std::move(*opened);
    ASSERT_TRUE(store_->put_source({"politie", "Nationale Politie", SourceKind::kPolice}));
    ASSERT_TRUE(store_->put_publication({"p1",
                                         "Monitor <script>alert(1)</script> & co",
                                         PublicationType::kMonitor,
                                         "2024-01-02",
                                         "nl",
                                         {Mandate::kHumanTrafficking},
                                         "samenvatting"}));
    std::filesystem::create_directories(dir_ / "published");
    std::ofstream(dir_ / "published" / "t1.json") << kPublished;
    std::ofstream(dir_ / "published" / "t1.csv") << "sex,value,status\nT,12,safe\n";
    std::ofstream(dir_ / "private.json") << "{\"name\": \"private\"}";
    server_ = std::make_unique<RunningServer>(*store_, (dir_ / "published").string());
  }
  // A table as `rapporteur publish` writes it: one suppressed cell, a title to escape.
  static constexpr const char* kPublished = R"({"name": "t1", "title": "Slachtoffers <b>naar</b> geslacht",
    "title_en": "Victims by sex", "date": "2026-11-27", "sources": ["politie"], "footnotes": ["x = onderdrukt"],
    "rule": {"min_frequency": 10}, "dimensions": [{"name": "sex", "codes": [
      {"code": "T", "parent": null, "label": "totaal"}, {"code": "f", "parent": "T", "label": "vrouw"},
      {"code": "m", "parent": "T", "label": "man"}]}],
    "cells": [{"key": ["T"], "value": 12, "status": "safe"}, {"key": ["f"], "value": null, "status": "primary"},
              {"key": ["m"], "value": null, "status": "secondary"}]})";
  void TearDown() override { server_.reset(); }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<RunningServer> server_;
};

TEST_F(ServerTest, HealthzAnswersWithTheSchemaVersion) {
  auto client = server_->client();

  const auto res = client.Get("/healthz");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  const json body = json::parse(res->body);
  EXPECT_EQ(body["status"], "ok");
  EXPECT_EQ(body["schema_version"], store::latest_schema_version());
}

TEST_F(ServerTest, HomePageIsDutchFirstWithAnEnglishSwitch) {
  auto client = server_->client();

  const auto dutch = client.Get("/");
  const auto english = client.Get("/?lang=en");

  ASSERT_TRUE(dutch);
  ASSERT_TRUE(english);
  EXPECT_EQ(dutch->status, 200);
  EXPECT_NE(dutch->body.find("<html lang=\"nl\">"), std::string::npos);
  EXPECT_NE(dutch->body.find("Publicaties"), std::string::npos);
  EXPECT_NE(dutch->body.find("href=\"/?lang=en\""), std::string::npos);
  EXPECT_NE(english->body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(english->body.find("Publications"), std::string::npos);
  EXPECT_NE(english->body.find("Nationale Politie"), std::string::npos);
}

TEST_F(ServerTest, EscapesStoredTextInPages) {
  auto client = server_->client();

  const auto res = client.Get("/");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->body.find("<script>"), std::string::npos);
  EXPECT_NE(res->body.find("Monitor &lt;script&gt;alert(1)&lt;/script&gt; &amp; co"), std::string::npos);
}

TEST_F(ServerTest, EveryResponseCarriesSecurityHeaders) {
  auto client = server_->client();

  for (const char* path : {"/", "/healthz", "/api/v1", "/nope", "/staff"}) {
    const auto res = client.Get(path);
    ASSERT_TRUE(res) << path;
    EXPECT_NE(res->get_header_value("Content-Security-Policy").find("frame-ancestors 'none'"), std::string::npos)
        << path;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << path;
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer") << path;
  }
}

TEST_F(ServerTest, StaffRoutesRefuseAnonymousRequests) {
  auto client = server_->client();

  const auto page = client.Get("/staff");
  const auto api = client.Get("/api/v1/registrations/counts");

  ASSERT_TRUE(page);
  ASSERT_TRUE(api);
  EXPECT_EQ(page->status, 401);
  EXPECT_EQ(api->status, 401);
  EXPECT_EQ(json::parse(api->body)["error"]["code"], "unauthorized");
}

TEST_F(ServerTest, EveryRouteHasAnAccessRuleAndStaffOnesAreRefused) {
  auto client = server_->client();
  const auto routes = server_->server().routes();

  ASSERT_FALSE(routes.empty());
  for (const RouteInfo& route : routes) {
    // Literal paths only here; staff_test.cpp fills in the parameterised ones.
    if (route.access != Access::kPublic && route.method == "GET" && route.pattern.find('(') == std::string::npos) {
      const auto res = client.Get(route.pattern);
      ASSERT_TRUE(res) << route.pattern;
      EXPECT_EQ(res->status, 401) << route.pattern;
    }
  }
}

TEST_F(ServerTest, PublicApiListsSourcesAndPublications) {
  auto client = server_->client();

  const auto sources = client.Get("/api/v1/sources");
  const auto publications = client.Get("/api/v1/publications");
  const auto index = client.Get("/api/v1");

  ASSERT_TRUE(sources);
  ASSERT_TRUE(publications);
  ASSERT_TRUE(index);
  EXPECT_EQ(json::parse(sources->body)["sources"][0]["code"], "politie");
  EXPECT_EQ(json::parse(publications->body)["publications"][0]["slug"], "p1");
  // The public index lists every public API route and no staff route (those are staff-only).
  std::set<std::string> listed;
  const json listing = json::parse(index->body);
  for (const auto& endpoint : listing["endpoints"]) listed.insert(endpoint["path"].get<std::string>());
  std::size_t public_api_routes = 0;
  for (const RouteInfo& r : server_->server().routes()) {
    if (!r.pattern.starts_with("/api/v1/")) continue;
    if (r.access == Access::kPublic) {
      ++public_api_routes;
      EXPECT_TRUE(listed.count(r.pattern)) << r.pattern;
    } else {
      EXPECT_FALSE(listed.count(r.pattern)) << r.pattern << " is not public";
    }
  }
  EXPECT_FALSE(listed.count("/api/v1/registrations/counts"));
  EXPECT_EQ(listed.size(), public_api_routes);
}

TEST_F(ServerTest, StaticAssetsAreCachedAndRevalidated) {
  auto client = server_->client();

  const auto first = client.Get("/static/style.css");
  ASSERT_TRUE(first);
  const std::string etag = first->get_header_value("ETag");
  const auto second = client.Get("/static/style.css", {{"If-None-Match", etag}});
  const auto missing = client.Get("/static/none.css");

  EXPECT_EQ(first->status, 200);
  EXPECT_EQ(first->get_header_value("Content-Type"), "text/css; charset=utf-8");
  EXPECT_NE(first->get_header_value("Cache-Control").find("max-age="), std::string::npos);
  EXPECT_FALSE(etag.empty());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 304);
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
}

TEST_F(ServerTest, PublishedTablesAreServedAsPagesDownloadsAndJsonAndNothingElse) {
  auto client = server_->client();

  const auto index = client.Get("/cijfers");
  const auto page = client.Get("/cijfers/t1");
  const auto api = client.Get("/api/v1/tables/t1");
  const auto list = client.Get("/api/v1/tables");
  const auto csv = client.Get("/cijfers/t1.csv");
  const auto missing = client.Get("/cijfers/t2");
  const auto outside = client.Get("/api/v1/tables/private");
  const auto traversal = client.Get("/cijfers/..%2Fprivate");

  ASSERT_TRUE(index && page && api && list && csv && missing && outside && traversal);
  EXPECT_EQ(index->status, 200);
  EXPECT_NE(index->body.find("href=\"/cijfers/t1?lang=nl\""), std::string::npos) << index->body;
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Slachtoffers &lt;b&gt;naar&lt;/b&gt; geslacht"), std::string::npos);
  EXPECT_EQ(page->body.find("<b>naar</b>"), std::string::npos);
  EXPECT_NE(page->body.find(">12</td>"), std::string::npos);
  EXPECT_NE(page->body.find(">x</td>"), std::string::npos) << "suppressed cells show as x";
  EXPECT_EQ(api->status, 200);
  EXPECT_EQ(json::parse(api->body)["cells"][1]["value"], nullptr);
  EXPECT_EQ(json::parse(list->body)["tables"].size(), 1u);
  EXPECT_EQ(csv->status, 200);
  EXPECT_NE(csv->get_header_value("Content-Disposition").find("t1.csv"), std::string::npos);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(outside->status, 404) << "only the published folder is served";
  EXPECT_EQ(traversal->status, 404);
}

// A publication links to the published tables it reports on (by their titles, leaving out one
// not published), and a table's page lists the publications on it, as soon as the knowledge
// base changes (its generation is part of the page cache's key).
TEST_F(ServerTest, APublicationAndTheTablesItReportsOnLinkToEachOther) {
  auto client = server_->client();
  const auto before = client.Get("/cijfers/t1");
  Publication report{"p2",
                     "Slachtoffermonitor <i>2024</i>",
                     PublicationType::kMonitor,
                     "2024-11-15",
                     "nl",
                     {Mandate::kHumanTrafficking},
                     "samenvatting"};
  report.tables = {"t1", "t9"};
  ASSERT_TRUE(store_->put_publication(report));
  ASSERT_TRUE(store_->set_meta(kb::kGenerationKey, "7"));

  const auto publication = client.Get("/publicaties/p2");
  const auto english = client.Get("/publicaties/p2?lang=en");
  const auto table = client.Get("/cijfers/t1");
  const auto api = client.Get("/api/v1/publications/p2");

  ASSERT_TRUE(before && publication && english && table && api);
  EXPECT_EQ(before->body.find("/publicaties/p2"), std::string::npos);
  EXPECT_NE(publication->body.find("Cijfers bij deze publicatie"), std::string::npos) << publication->body;
  EXPECT_NE(publication->body.find("<a href=\"/cijfers/t1?lang=nl\">Slachtoffers &lt;b&gt;naar&lt;/b&gt; geslacht</a>"),
            std::string::npos)
      << publication->body;
  EXPECT_EQ(publication->body.find("t9"), std::string::npos) << "a table not published is not linked";
  EXPECT_NE(english->body.find("<a href=\"/cijfers/t1?lang=en\">Victims by sex</a>"), std::string::npos);
  EXPECT_NE(table->body.find("Publicaties over deze cijfers"), std::string::npos) << table->body;
  EXPECT_NE(table->body.find("<a href=\"/publicaties/p2?lang=nl\">Slachtoffermonitor &lt;i&gt;2024&lt;/i&gt;</a>"),
            std::string::npos)
      << table->body;
  EXPECT_EQ(table->body.find("/publicaties/p1"), std::string::npos) << "p1 names no table";
  const json tables = json::parse(api->body)["tables"];
  ASSERT_EQ(tables.size(), 2u);
  EXPECT_EQ(tables[0]["name"], "t1");
  EXPECT_EQ(tables[0]["href"], "/api/v1/tables/t1");
}

// /open-data links to the interactive viewer, which loads the vendored Swagger UI and our
// mending script and CSS from this server only (the site's CSP allows nothing else).
TEST_F(ServerTest, TheOpenDataPageLeadsToTheVendoredApiViewer) {
  auto client = server_->client();
  const auto open_data = client.Get("/open-data?lang=nl");
  const auto viewer = client.Get("/open-data/viewer?lang=en");
  const auto bundle = client.Get("/static/vendor/swagger-ui-bundle.js");
  const auto mend = client.Get("/static/openapi-viewer.js");
  const auto css = client.Get("/static/openapi-viewer.css");

  ASSERT_TRUE(open_data && viewer && bundle && mend && css);
  EXPECT_NE(open_data->body.find("<a href=\"/open-data/viewer?lang=nl\">"), std::string::npos);
  ASSERT_EQ(viewer->status, 200);
  EXPECT_EQ(viewer->get_header_value("Content-Language"), "en");
  ASSERT_EQ(bundle->status, 200) << "scripts/lib.sh vendors Swagger UI before every build";
  EXPECT_NE(viewer->body.find("<script src=\"/static/vendor/swagger-ui-bundle.js\"></script>"), std::string::npos);
  EXPECT_NE(viewer->body.find("<script src=\"/static/openapi-viewer.js\"></script>"), std::string::npos);
  EXPECT_NE(viewer->body.find("data-url=\"/api/v1/openapi.json\""), std::string::npos);
  EXPECT_NE(mend->body.find("supportedSubmitMethods: [\"get\"]"), std::string::npos);
  EXPECT_NE(css->get_header_value("Content-Type").find("text/css"), std::string::npos);
}

TEST_F(ServerTest, TheExplorerExplainsSuppressionAndDownloadsItsView) {
  auto client = server_->client();

  const auto page = client.Get("/cijfers/t1?lang=en");
  const auto csv = client.Get("/cijfers/t1?lang=en&format=csv");
  const auto xlsx = client.Get("/cijfers/t1?format=xlsx");
  const auto view = client.Get("/cijfers/t1?format=json");

  ASSERT_TRUE(page && csv && xlsx && view);
  EXPECT_EQ(page->status, 200);
  // The fixture has one primary and one secondary suppression: both footnotes, with the rule.
  EXPECT_NE(page->body.find("id=\"fn-primary\""), std::string::npos);
  EXPECT_NE(page->body.find("fewer than 10 persons"), std::string::npos);
  EXPECT_NE(page->body.find("id=\"fn-secondary\""), std::string::npos);
  EXPECT_NE(page->body.find("Persons are linked across sources"), std::string::npos)
      << "English notes on the English page";
  EXPECT_NE(page->body.find("Nationale Politie"), std::string::npos) << "the source by its full name";
  // The fixture's codes (T, f, m) have no English words: its own labels stand.
  EXPECT_EQ(csv->body, "sex (level),sex,count\n0,totaal,12\n1,vrouw,x\n1,man,x\n");
  ASSERT_GE(xlsx->body.size(), 4u);
  EXPECT_EQ(xlsx->body.substr(0, 2), "PK") << "a workbook (a zip archive)";
  EXPECT_EQ(json::parse(view->body)["data"][1]["status"][0], "primary");
}

TEST_F(ServerTest, UnknownApiPathsAnswerJson404) {
  auto client = server_->client();

  const auto res = client.Get("/api/v1/nothing");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(json::parse(res->body)["error"]["code"], "not_found");
}

TEST_F(ServerTest, RefusesOversizedRequestBodies) {
  auto client = server_->client();

  const auto res = client.Post("/healthz", std::string(2 << 20, 'x'), "text/plain");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 413);
}

}  // namespace
}  // namespace rapporteur::web
