// The knowledge base over HTTP: the search page without JavaScript (form, facets, snippets,
// escaping, "bedoelde u"), the results fragment search.js swaps in, publication and
// recommendation pages, the JSON API and its OpenAPI document.
#include <filesystem>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "kb/kb.h"
#include "store/store.h"
#include "test_support.h"
#include "web/web.h"

namespace rapporteur::web {
namespace {

using nlohmann::json;
using rapporteur::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

class KbPagesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "web.db"));
    kb_ = std::move(*kb::KnowledgeBase::open(*store_, {.folder = dir_ / "kb"}));
    std::ofstream(dir_ / "studie.md") << "# Arbeidsuitbuiting <script>alert(1)</script>\n\n"
                                         "Signalen van arbeidsuitbuiting bij arbeidsmigranten.\n";
    std::ofstream(dir_ / "studie.md.toml") << R"(type = "study"
date = "2023-03-20"
themes = ["human_trafficking"]
forms = ["labour"]
[[recommendation]]
text = "Deel signalen tussen inspectie en politie."
addressee = "Minister van Sociale Zaken en Werkgelegenheid"
year = 2023
status = "pending"
[[recommendation.follow_up]]
date = "2024-01-10"
status = "adopted"
note = "Meldpunt gestart."
)";
    std::ofstream(dir_ / "nieuws.txt") << "Seizoenswerk\n\nUitbuiting van arbeid in de landbouw.\n";
    ASSERT_TRUE(kb_->add_file(dir_ / "studie.md", {}).has_value());
    kb::Metadata news;
    news.type = PublicationType::kNews;
    news.date = "2022-08-30";
    ASSERT_TRUE(kb_->add_file(dir_ / "nieuws.txt", news).has_value());
    server_ =
        std::make_unique<Server>(*store_, ServerOptions{.host = "127.0.0.1", .port = 0, .knowledge_base = kb_.get()});
    port_ = server_->bind().value();
    thread_ = std::thread([this] { (void)server_->serve(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  httplib::Result get(const std::string& path) {
    httplib::Client client("127.0.0.1", port_);
    return client.Get(path);
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<kb::KnowledgeBase> kb_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(KbPagesTest, SearchPageWorksWithoutJavaScript) {
  const auto res = get("/zoeken?q=arbeidsuitbuiting");

  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 200);
  EXPECT_THAT(res->body, HasSubstr("<form role=\"search\" action=\"/zoeken\" method=\"get\""));
  EXPECT_THAT(res->body, HasSubstr("3 resultaten"));  // Study, its recommendation, the news item.
  EXPECT_THAT(res->body, HasSubstr("<mark>arbeidsuitbuiting</mark>"));
  EXPECT_THAT(res->body, HasSubstr("href=\"/zoeken?q=arbeidsuitbuiting&amp;type=news\""));
  EXPECT_THAT(res->body, HasSubstr("<a href=\"/publicaties/nieuws?lang=nl\">Seizoenswerk</a>"));
  EXPECT_THAT(res->body, Not(HasSubstr("<script>alert(1)")));
  EXPECT_THAT(res->body, HasSubstr("&lt;script&gt;alert(1)"));
}

TEST_F(KbPagesTest, FacetLinksFilterAndFragmentsCarryOnlyTheResults) {
  const auto filtered = get("/zoeken?q=arbeidsuitbuiting&type=news");
  const auto fragment = get("/zoeken?q=arbeidsuitbuiting&type=news&partial=1");
  const auto misspelt = get("/zoeken?q=arbeidsuitbuitng");

  ASSERT_TRUE(filtered && fragment && misspelt);
  EXPECT_THAT(filtered->body, HasSubstr("1 resultaat"));
  EXPECT_THAT(filtered->body, HasSubstr("aria-current=\"true\""));
  EXPECT_THAT(fragment->body, Not(HasSubstr("<html")));
  EXPECT_THAT(fragment->body, HasSubstr("1 resultaat"));
  EXPECT_THAT(misspelt->body, HasSubstr("arbeidsuitbuiting</a>"));
  EXPECT_THAT(misspelt->body, HasSubstr("Niets gevonden voor uw zoekvraag"));
}

TEST_F(KbPagesTest, PublicationAndRecommendationPagesShowFollowUp) {
  const auto publication = get("/publicaties/studie");
  const auto recommendation = get("/aanbevelingen/studie/1");
  const auto overview = get("/aanbevelingen?lang=en");
  const auto file = get("/publicaties/studie/bestand");
  const auto missing = get("/publicaties/bestaat-niet");

  ASSERT_TRUE(publication && recommendation && overview && file && missing);
  EXPECT_EQ(publication->status, 200);
  EXPECT_THAT(publication->body, HasSubstr("Deel signalen tussen inspectie en politie."));
  EXPECT_THAT(publication->body, HasSubstr("Meldpunt gestart."));
  EXPECT_THAT(recommendation->body, HasSubstr("Overgenomen"));
  EXPECT_THAT(overview->body, HasSubstr("100%"));
  EXPECT_EQ(file->status, 200);
  EXPECT_THAT(file->get_header_value("Content-Type"), HasSubstr("text/markdown"));
  EXPECT_THAT(file->body, HasSubstr("Signalen van arbeidsuitbuiting"));
  EXPECT_EQ(missing->status, 404);
}

TEST_F(KbPagesTest, SearchApiReturnsHitsFacetsAndRejectsBadParameters) {
  const auto res = get("/api/v1/search?q=uitbuiting&sort=date&limit=2");
  const auto bad_year = get("/api/v1/search?q=x&year=twintig");
  const auto bad_limit = get("/api/v1/search?q=x&limit=1000");
  const auto bad_query = get("/api/v1/search?q=%22open");

  ASSERT_TRUE(res && bad_year && bad_limit && bad_query);
  EXPECT_EQ(res->status, 200);
  const json body = json::parse(res->body);
  EXPECT_EQ(body["total"], 3);
  ASSERT_EQ(body["hits"].size(), 2u);
  EXPECT_EQ(body["hits"][0]["id"], "studie#1");  // Newest first: the follow-up dates it 2024.
  EXPECT_EQ(body["hits"][0]["status"], "adopted");
  EXPECT_EQ(body["facets"]["type"].size(), 3u);
  EXPECT_EQ(bad_year->status, 400);
  EXPECT_THAT(bad_year->body, HasSubstr("year"));
  EXPECT_EQ(bad_limit->status, 400);
  EXPECT_NE(bad_query->status, 500);
}

TEST_F(KbPagesTest, PublicationApiAndOpenApiDocument) {
  const auto publication = get("/api/v1/publications/studie");
  const auto recommendations = get("/api/v1/recommendations");
  const auto openapi = get("/api/v1/openapi.json");

  ASSERT_TRUE(publication && recommendations && openapi);
  const json p = json::parse(publication->body);
  EXPECT_EQ(p["forms"], json::array({"labour"}));
  EXPECT_EQ(p["recommendations"][0]["history"][0]["status"], "adopted");
  EXPECT_EQ(p["file"]["href"], "/publicaties/studie/bestand");
  const json r = json::parse(recommendations->body);
  EXPECT_EQ(r["overview"]["by_year"][0]["key"], "2023");
  EXPECT_DOUBLE_EQ(r["overview"]["by_year"][0]["adopted_share"].get<double>(), 1.0);
  const json spec = json::parse(openapi->body);
  EXPECT_EQ(spec["openapi"], "3.0.3");
  for (const char* path : {"/api/v1/search", "/api/v1/publications/{slug}", "/api/v1/recommendations"}) {
    EXPECT_TRUE(spec["paths"].contains(path)) << path;
  }
}

}  // namespace
}  // namespace rapporteur::web
