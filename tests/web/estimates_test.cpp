// The public estimate pages and API over HTTP: what a researcher published, in Dutch words and
// numbers (English with ?lang=en), against the two-list estimate worked out by hand; markup in
// a stratum's name comes back escaped; unknown estimates are 404; publishing from the staff
// side is for researchers and runs as a job.
#include <cmath>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "app/estimate.h"
#include "app/published_estimate.h"
#include "app/workspace.h"
#include "auth/auth.h"
#include "store/store.h"
#include "test_support.h"
#include "web/web.h"

namespace rapporteur::web {
namespace {

using rapporteur::testing::TempDir;

// Two strata of the same shape: in each, 3,000 seen only by A, 2,000 only by B, 1,000 by both.
constexpr const char* kStrata =
    "A,B,groep,count\n1,0,<b>x</b>,3000\n0,1,<b>x</b>,2000\n1,1,<b>x</b>,1000\n1,0,y,3000\n0,1,y,2000\n1,1,y,1000\n";

// The national table (6,000 / 4,000 / 2,000) by hand: Lincoln-Petersen's total 24,000 and the
// log-normal interval n + f0 exp(+-z se), se^2 = 1/n10 + 1/n01 + 1/n11.
std::pair<long, long> national_interval() {
  const double f0 = 12000;
  const double se = std::sqrt(1 / 6000.0 + 1 / 4000.0 + 1 / 2000.0);
  const double z = 1.959963984540054;
  return {std::lround(12000 + f0 * std::exp(-z * se)), std::lround(12000 + f0 * std::exp(z * se))};
}

// Thousands grouped with `separator`, written here apart from the server's formatting.
std::string grouped(long value, char separator) {
  std::string text = std::to_string(value);
  for (int at = static_cast<int>(text.size()) - 3; at > 0; at -= 3)
    text.insert(static_cast<std::size_t>(at), 1, separator);
  return text;
}

class EstimatesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    auth_ = std::make_unique<auth::Auth>(*store_);
    ASSERT_TRUE(auth_->add_user("rob", store::UserRole::kResearcher, "wachtwoord-rob-123").has_value());
    ASSERT_TRUE(auth_->add_user("eva", store::UserRole::kEditor, "wachtwoord-eva-123").has_value());
    workspace_ = std::make_unique<app::Workspace>([this] { return store::open_sqlite_store(dir_ / "r.db"); }, nullptr,
                                                  app::InstancePaths{.key = dir_ / "pseudonym.key",
                                                                     .profiles = dir_ / "profiles",
                                                                     .tables = dir_ / "tables",
                                                                     .published = dir_ / "published",
                                                                     .reports = dir_ / "reports",
                                                                     .uploads = dir_ / "uploads"});
    ServerOptions options{.host = "127.0.0.1", .port = 0};
    options.published_folder = (dir_ / "published").string();
    options.auth = auth_.get();
    options.workspace = workspace_.get();
    server_ = std::make_unique<Server>(*store_, options);
    port_ = server_->bind().value();
    thread_ = std::thread([this] { (void)server_->serve(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  void publish() {
    std::ofstream(dir_ / "strata.csv") << kStrata;
    app::PublishEstimateRequest request;
    request.estimate.table_file = (dir_ / "strata.csv").string();
    request.estimate.by = "groep";
    request.estimate.year = 2022;
    request.estimate.selection.sensitivity = mse::Sensitivity::kSkip;
    request.folder = dir_ / "published";
    request.date = "2026-12-06";
    const auto published = app::publish_estimate(*store_, request);
    ASSERT_TRUE(published.has_value()) << published.error().message;
  }
  // The session cookie and CSRF token of a signed-in user.
  std::pair<std::string, std::string> sign_in(const std::string& name) {
    const auto signed_in = auth_->sign_in(name, "wachtwoord-" + name + "-123").value();
    return {signed_in.token, signed_in.session.csrf_token};
  }
  httplib::Client client() { return httplib::Client("127.0.0.1", port_); }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Auth> auth_;
  std::unique_ptr<app::Workspace> workspace_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(EstimatesTest, ThePublicPageSaysThePublishedIntervalInDutchWordsAndNumbers) {
  publish();
  const auto [low, high] = national_interval();

  const auto index = client().Get("/schattingen");
  const auto page = client().Get("/schattingen/human-trafficking-2022-groep");
  const auto english = client().Get("/schattingen/human-trafficking-2022-groep?lang=en");

  ASSERT_TRUE(index && page && english);
  EXPECT_EQ(index->status, 200);
  const std::string dutch_words =
      "naar schatting tussen " + grouped(low, '.') + " en " + grouped(high, '.') + " slachtoffers";
  EXPECT_NE(index->body.find(dutch_words), std::string::npos) << index->body;
  EXPECT_NE(index->body.find("href=\"/schattingen/human-trafficking-2022-groep?lang=nl\""), std::string::npos);
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find(dutch_words), std::string::npos);
  EXPECT_NE(
      page->body.find("De beste schatting is 24.000. Dat is 2,0 keer het aantal geregistreerde slachtoffers (12.000)."),
      std::string::npos)
      << page->body;
  EXPECT_NE(page->body.find("Som van de schattingen per stratum: 24.000"), std::string::npos);
  EXPECT_NE(page->body.find("gemiddelde over 1 log-lineaire modellen met AIC-gewichten"), std::string::npos);
  EXPECT_NE(english->body.find("an estimated between " + grouped(low, ',') + " and " + grouped(high, ',') + " victims"),
            std::string::npos)
      << english->body;
  EXPECT_NE(english->body.find("That is 2.0 times the number of registered victims (12,000)."), std::string::npos);
}

TEST_F(EstimatesTest, MarkupInAStratumNameComesBackEscaped) {
  publish();

  const auto page = client().Get("/schattingen/human-trafficking-2022-groep");

  ASSERT_TRUE(page);
  EXPECT_EQ(page->body.find("<b>x</b>"), std::string::npos);
  EXPECT_NE(page->body.find("&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
}

TEST_F(EstimatesTest, TheApiGivesTheRecordsAndUnknownEstimatesAreNotFound) {
  const auto before = client().Get("/api/v1/estimates");
  publish();
  const auto [low, high] = national_interval();

  const auto list = client().Get("/api/v1/estimates");
  const auto one = client().Get("/api/v1/estimates/human-trafficking-2022-groep");
  const auto unknown = client().Get("/api/v1/estimates/human-trafficking-1999");
  const auto unknown_page = client().Get("/schattingen/human-trafficking-1999");
  const auto openapi = client().Get("/api/v1/openapi.json");

  ASSERT_TRUE(before && list && one && unknown && unknown_page && openapi);
  EXPECT_EQ(nlohmann::json::parse(before->body)["estimates"].size(), 0u);
  const auto estimates = nlohmann::json::parse(list->body)["estimates"];
  ASSERT_EQ(estimates.size(), 1u);
  const auto record = nlohmann::json::parse(one->body);
  EXPECT_EQ(record, estimates[0]);
  EXPECT_NEAR(record["national"]["total"].get<double>(), 24000, 0.5);
  EXPECT_EQ(std::lround(record["national"]["low"].get<double>()), low);
  EXPECT_EQ(std::lround(record["national"]["high"].get<double>()), high);
  EXPECT_NEAR(record["national"]["ratio_to_registered"].get<double>(), 2.0, 1e-9);
  EXPECT_EQ(record["strata"].size(), 2u);
  EXPECT_EQ(record["provenance"]["table_file"]["name"], "strata.csv");
  EXPECT_EQ(unknown->status, 404);
  EXPECT_EQ(unknown_page->status, 404);
  const auto paths = nlohmann::json::parse(openapi->body)["paths"];
  EXPECT_TRUE(paths.contains("/api/v1/estimates"));
  EXPECT_TRUE(paths.contains("/api/v1/estimates/{id}"));
}

TEST_F(EstimatesTest, OnlyResearchersPublishAndPublishingRunsAsAnAuditedJob) {
  const auto [editor, editor_csrf] = sign_in("eva");
  const auto [researcher, researcher_csrf] = sign_in("rob");
  const httplib::Params form{{"year", "2022"},   {"mandate", "human_trafficking"}, {"by", ""}, {"criterion", "bic"},
                             {"bootstrap", "0"}, {"method", "recommended"}};
  auto with_csrf = [&form](const std::string& csrf) {
    httplib::Params p = form;
    p.emplace("csrf", csrf);
    return p;
  };

  const auto anonymous = client().Post("/staff/schattingen/publiceren", with_csrf("x"));
  const auto refused = client().Post("/staff/schattingen/publiceren", {{"Cookie", "rapporteur_session=" + editor}},
                                     with_csrf(editor_csrf));
  auto bad = with_csrf(researcher_csrf);
  bad.erase("method");
  bad.emplace("method", "<script>");
  const auto invalid =
      client().Post("/staff/schattingen/publiceren", {{"Cookie", "rapporteur_session=" + researcher}}, bad);
  const auto started = client().Post("/staff/schattingen/publiceren", {{"Cookie", "rapporteur_session=" + researcher}},
                                     with_csrf(researcher_csrf));

  ASSERT_TRUE(anonymous && refused && invalid && started);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(refused->status, 403);
  EXPECT_EQ(invalid->status, 400);
  EXPECT_EQ(invalid->body.find("<script>"), std::string::npos);
  ASSERT_EQ(started->status, 303);
  const std::string location = started->get_header_value("Location");
  const std::int64_t id = std::stoll(location.substr(location.rfind('/') + 1));
  store::JobRecord job = store_->job(id).value();
  for (int i = 0; i < 600 && (job.status == "queued" || job.status == "running"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    job = store_->job(id).value();
  }
  // The instance has no registrations: the job fails saying so, and nothing is published.
  EXPECT_EQ(job.kind, "publish_estimate");
  EXPECT_EQ(job.owner, "rob");
  EXPECT_EQ(job.status, "failed");
  EXPECT_NE(job.messages.find("no human_trafficking victim registrations in 2022"), std::string::npos) << job.messages;
  EXPECT_TRUE(app::published_estimates(*store_).value().empty());
}

// Three lists where C saw 4 people and B and C never meet: the profile interval's upper bound
// is not reached (an open bound) and the data warnings apply.
constexpr const char* kSparse = "A,B,C,count\n1,0,0,40\n0,1,0,35\n0,0,1,3\n1,1,0,2\n1,0,1,1\n0,1,1,0\n1,1,1,0\n";

TEST_F(EstimatesTest, TheStaffJobPageShowsEveryIntervalTheRunComputedWithOpenBoundsAndDutchWarnings) {
  std::ofstream(dir_ / "sparse.csv") << kSparse;
  app::EstimateRequest request;
  request.table_file = (dir_ / "sparse.csv").string();
  request.selection.bootstrap = 200;
  request.latent_class = mse::LatentClassRun::kRun;
  const auto report = app::estimate(nullptr, request).value();
  const auto& e = *report.strata.front().estimate;
  ASSERT_TRUE(e.profile.has_value());
  ASSERT_FALSE(e.profile->high_found);  // The case this test is about.
  const auto& r = *report.strata.front().recommended;
  const auto id =
      store_->add_job({.kind = "estimate", .title = "Schatting", .owner = "rob", .started = "2026-12-06T22:00:00Z"})
          .value();
  ASSERT_TRUE(store_->finish_job(id, "done", app::to_json(report), "", "2026-12-06T22:01:00Z").has_value());
  const auto [session, csrf] = sign_in("rob");
  const httplib::Headers cookie{{"Cookie", "rapporteur_session=" + session}};

  const auto dutch = client().Get("/staff/jobs/" + std::to_string(id) + "?lang=nl", cookie);
  const auto english = client().Get("/staff/jobs/" + std::to_string(id) + "?lang=en", cookie);

  ASSERT_TRUE(dutch && english);
  ASSERT_EQ(dutch->status, 200);
  const std::string& page = dutch->body;
  const auto whole = [](double value) { return grouped(std::lround(value), '.'); };
  EXPECT_NE(page.find(whole(e.profile->low) + " – &gt; " + whole(e.profile->high)), std::string::npos) << page;
  EXPECT_NE(page.find(whole(r.primary.total)), std::string::npos);
  EXPECT_NE(page.find(whole(r.primary.low) + " – " + whole(r.primary.high)), std::string::npos);
  const auto& best = e.search.models.front();
  EXPECT_NE(page.find(whole(best.ci_low) + " – " + whole(best.ci_high)), std::string::npos);  // Log-normal.
  EXPECT_NE(page.find(whole(e.bootstrap->bca_low) + " – " + whole(e.bootstrap->bca_high)), std::string::npos);
  const auto& lc = r.latent_class.front();
  EXPECT_NE(page.find(whole(lc.median) + " (" + whole(lc.low) + " – " + whole(lc.high) + ")"), std::string::npos);
  EXPECT_NE(page.find("<td>A:C</td>"), std::string::npos);  // A runner-up model.
  EXPECT_NE(page.find("Gevoeligheid"), std::string::npos);
  EXPECT_NE(page.find("stepwise"), std::string::npos);
  EXPECT_NE(page.find("bron C registreerde maar 4 personen"), std::string::npos);
  EXPECT_NE(page.find("bronnen B en C registreerden geen enkele persoon samen"), std::string::npos);
  EXPECT_NE(page.find("de bovengrens van het profielinterval ligt voorbij driemaal de schatting"), std::string::npos);
  EXPECT_EQ(page.find("saw only"), std::string::npos);
  EXPECT_NE(english->body.find("list C saw only 4 people"), std::string::npos);
}

TEST_F(EstimatesTest, TheStaffJobPageOfStrataShowsTheNationalEstimateAndTheSum) {
  std::ofstream(dir_ / "strata.csv") << kStrata;
  app::EstimateRequest request;
  request.table_file = (dir_ / "strata.csv").string();
  request.by = "groep";
  const auto report = app::estimate(nullptr, request).value();
  ASSERT_TRUE(report.national.has_value());
  const auto id =
      store_->add_job({.kind = "estimate", .title = "Schatting", .owner = "rob", .started = "2026-12-06T22:00:00Z"})
          .value();
  ASSERT_TRUE(store_->finish_job(id, "done", app::to_json(report), "", "2026-12-06T22:01:00Z").has_value());
  const auto [session, csrf] = sign_in("rob");
  const auto [low, high] = national_interval();

  const auto page =
      client().Get("/staff/jobs/" + std::to_string(id) + "?lang=nl", {{"Cookie", "rapporteur_session=" + session}});

  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("<strong>Heel Nederland</strong>"), std::string::npos) << page->body;
  EXPECT_NE(page->body.find(grouped(low, '.') + " – " + grouped(high, '.')), std::string::npos);
  EXPECT_NE(page->body.find("Som van de strata"), std::string::npos);
  EXPECT_NE(page->body.find("&lt;b&gt;x&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(page->body.find("<b>x</b>"), std::string::npos);
}

TEST_F(EstimatesTest, OnlyTheOwnerOrAnAdminMayStopAJob) {
  ASSERT_TRUE(auth_->add_user("ria", store::UserRole::kResearcher, "wachtwoord-ria-123").has_value());
  const auto id =
      store_->add_job({.kind = "estimate", .title = "Schatting", .owner = "rob", .started = "2026-12-06T22:00:00Z"})
          .value();
  const auto [owner, owner_csrf] = sign_in("rob");
  const auto [other, other_csrf] = sign_in("ria");
  const std::string path = "/staff/jobs/" + std::to_string(id);

  const auto owners_page = client().Get(path, {{"Cookie", "rapporteur_session=" + owner}});
  const auto others_page = client().Get(path, {{"Cookie", "rapporteur_session=" + other}});
  const auto refused = client().Post(path + "/annuleren", {{"Cookie", "rapporteur_session=" + other}},
                                     httplib::Params{{"csrf", other_csrf}});
  const auto elsewhere = client().Post(path + "/annuleren", {{"Cookie", "rapporteur_session=" + owner}},
                                       httplib::Params{{"csrf", owner_csrf}});
  ASSERT_TRUE(store_->finish_job(id, "done", "", "", "2026-12-06T22:05:00Z"));
  const auto ended = client().Post(path + "/annuleren", {{"Cookie", "rapporteur_session=" + owner}},
                                   httplib::Params{{"csrf", owner_csrf}});

  ASSERT_TRUE(owners_page && others_page && refused && elsewhere && ended);
  EXPECT_NE(owners_page->body.find("action=\"" + path + "/annuleren\""), std::string::npos);
  EXPECT_EQ(others_page->body.find("/annuleren"), std::string::npos);
  EXPECT_EQ(refused->status, 403);
  // Recorded as running but not running in this server: another node runs it, and sees the
  // request in the store.
  EXPECT_EQ(elsewhere->status, 303);
  EXPECT_TRUE(store_->job(id).value().cancel_requested);
  EXPECT_EQ(ended->status, 404);  // Neither queued nor running any more.
}

}  // namespace
}  // namespace rapporteur::web
