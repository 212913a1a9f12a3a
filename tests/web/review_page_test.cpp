// The clerical review in the staff workspace, answered in-process on the demo world of 2023:
// only researchers (and admins), POSTs only with the session's CSRF token, a decision stored
// with its user and in the audit log, and pages and JSON that show agreement levels but none of
// the synthetic identities the extracts held (demo::World::identities).
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "auth/auth.h"
#include "demo/demo.h"
#include "store/store.h"
#include "test_support.h"
#include "web/web.h"

namespace rapporteur::web {
namespace {

using rapporteur::testing::TempDir;

class ReviewPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    world_ = demo::generate_world({.first_year = 2023, .last_year = 2023}).value();
    std::array<std::uint8_t, 32> key{};
    key[0] = 16;
    ASSERT_TRUE(
        demo::load_world(world_, *store_, intake::PseudonymKey::from_bytes(key),
                         {.extracts_folder = dir_ / "extracts", .profiles_folder = RAPPORTEUR_SOURCE_DIR "/profiles"})
            .has_value());
    auth_ = std::make_unique<auth::Auth>(*store_);
    ASSERT_TRUE(auth_->add_user("rob", store::UserRole::kResearcher, "wachtwoord-rob-123").has_value());
    ASSERT_TRUE(auth_->add_user("eva", store::UserRole::kEditor, "wachtwoord-eva-123").has_value());
    ServerOptions options{.host = "127.0.0.1", .port = 0};
    options.auth = auth_.get();
    options.uploads_folder = (dir_ / "uploads").string();
    server_ = std::make_unique<Server>(*store_, options);
  }

  std::pair<std::string, std::string> sign_in(const std::string& name) {
    const auto signed_in = auth_->sign_in(name, "wachtwoord-" + name + "-123");
    EXPECT_TRUE(signed_in.has_value());
    return {"rapporteur_session=" + signed_in->token, signed_in->session.csrf_token};
  }

  LocalResponse get(const std::string& cookie, const std::string& target) {
    return server_->handle({.target = target, .headers = {{"Cookie", cookie}}});
  }

  LocalResponse post(const std::string& cookie, const std::string& target, const std::string& body) {
    return server_->handle({.method = "POST",
                            .target = target,
                            .headers = {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}},
                            .body = body});
  }

  // The first pair the review lists over the whole range of match probabilities.
  std::string first_pair(const std::string& cookie) {
    const auto listed = get(cookie, "/api/v1/staff/linkage/review?year=2023&limit=5&from=0&to=1");
    EXPECT_EQ(listed.status, 200) << listed.body;
    const auto json = nlohmann::json::parse(listed.body);
    EXPECT_FALSE(json["pairs"].empty());
    return json["pairs"].empty() ? std::string() : json["pairs"][0]["reference"].get<std::string>();
  }

  TempDir dir_;
  demo::World world_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Auth> auth_;
  std::unique_ptr<Server> server_;
};

TEST_F(ReviewPageTest, OnlyResearchersWithTheCsrfTokenReviewAndDecide) {
  const auto [editor, editor_csrf] = sign_in("eva");
  const auto [researcher, csrf] = sign_in("rob");
  const std::string pair = first_pair(researcher);
  const std::string decide = "year=2023&pair=" + pair + "&decision=match";

  EXPECT_EQ(server_->handle({.target = "/staff/koppeling/beoordeling?year=2023"}).status, 401);
  EXPECT_EQ(server_->handle({.target = "/api/v1/staff/linkage/review?year=2023"}).status, 401);
  EXPECT_EQ(get(editor, "/staff/koppeling/beoordeling?year=2023").status, 403);
  EXPECT_EQ(get(editor, "/api/v1/staff/linkage/review?year=2023").status, 403);
  EXPECT_EQ(post(editor, "/staff/koppeling/beoordeling", "csrf=" + editor_csrf + "&" + decide).status, 403);
  EXPECT_EQ(post(editor, "/api/v1/staff/linkage/review", "csrf=" + editor_csrf + "&" + decide).status, 403);
  EXPECT_EQ(post(researcher, "/staff/koppeling/beoordeling", decide).status, 403);
  EXPECT_EQ(post(researcher, "/api/v1/staff/linkage/review", "csrf=wrong&" + decide).status, 403);
  EXPECT_TRUE(store_->linkage_decisions({.year = 2023}).value().empty()) << "no refused request stored anything";
}

TEST_F(ReviewPageTest, AResearchersDecisionIsStoredAuditedAndShown) {
  const auto [researcher, csrf] = sign_in("rob");
  const std::string pair = first_pair(researcher);

  const auto page_post = post(researcher, "/staff/koppeling/beoordeling",
                              "csrf=" + csrf + "&year=2023&limit=5&pair=" + pair + "&decision=non-match");
  const auto api_post =
      post(researcher, "/api/v1/staff/linkage/review", "csrf=" + csrf + "&year=2023&pair=" + pair + "&decision=match");
  const auto bad_pair =
      post(researcher, "/api/v1/staff/linkage/review", "csrf=" + csrf + "&year=2023&pair=Jansen-Maria&decision=match");
  const auto unknown_record = post(researcher, "/api/v1/staff/linkage/review",
                                   "csrf=" + csrf + "&year=2023&pair=r999998-r999999&decision=match");
  const auto page = get(researcher, "/staff/koppeling/beoordeling?year=2023&limit=5&from=0&to=1&saved=" + pair);
  const auto json =
      nlohmann::json::parse(get(researcher, "/api/v1/staff/linkage/review?year=2023&limit=5&from=0&to=1").body);

  EXPECT_EQ(page_post.status, 303);
  EXPECT_EQ(
      page_post.header("Location"),
      "/staff/koppeling/beoordeling?year=2023&mandate=human_trafficking&role=victim&limit=5&from=0.1&to=0.9&saved=" +
          pair + "#pair-" + pair);
  ASSERT_EQ(api_post.status, 200) << api_post.body;
  EXPECT_EQ(nlohmann::json::parse(api_post.body)["decision"], "match");
  EXPECT_EQ(bad_pair.status, 400);
  EXPECT_EQ(unknown_record.status, 404);
  const auto decisions = store_->linkage_decisions({.year = 2023}).value();
  ASSERT_EQ(decisions.size(), 1u);
  EXPECT_EQ(decisions[0].decision, store::ReviewDecision::kMatch) << "the latest decision wins";
  EXPECT_EQ(decisions[0].user_name, "rob");
  int audited = 0;
  const auto log = store_->audit_log(50).value();
  for (const auto& entry : log) {
    if (entry.action == "linkage_decision" && entry.user_name == "rob") ++audited;
  }
  EXPECT_EQ(audited, 2);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("id=\"review-saved\""), std::string::npos);
  EXPECT_EQ(get(researcher, "/staff/koppeling/beoordeling?year=2023&saved=%3Cb%3Ebel+ons").body.find("review-saved"),
            std::string::npos)
      << "a notice names only a pair reference";
  EXPECT_NE(page.body.find("name=\"csrf\" value=\"" + csrf + "\""), std::string::npos);
  EXPECT_NE(page.body.find("value=\"non-match\""), std::string::npos);
  EXPECT_NE(page.body.find("Achternaam"), std::string::npos);
  EXPECT_NE(page.body.find("zelfde persoon"), std::string::npos) << "the stored decision is shown";
  const auto linkage = get(researcher, "/staff/koppeling?year=2023");
  EXPECT_NE(linkage.body.find("id=\"linkage-decisions\">1<"), std::string::npos) << "the run applied the decision";
  EXPECT_EQ(json["pairs"][0]["reference"], pair);
  EXPECT_EQ(json["pairs"][0]["decision"], "match");
  EXPECT_EQ(json["pairs"][0]["fields"].size(), 7u);
  // No synthetic identity of the year appears on the page or in the JSON.
  const std::string shown = page.body + json.dump();
  for (std::size_t i = 0; i < world_.identities.size(); ++i) {
    const auto& id = world_.identities[i];
    for (const std::string& value : {id.last_name, id.birth_date, id.national_id}) {
      if (value.size() >= 5) {
        EXPECT_EQ(shown.find(value), std::string::npos) << "record " << i;
      }
    }
  }
}

TEST_F(ReviewPageTest, TheLinkagePageLinksToTheReview) {
  const auto [researcher, csrf] = sign_in("rob");

  const auto linkage = get(researcher, "/staff/koppeling");
  const auto empty = get(researcher, "/staff/koppeling/beoordeling?lang=en");
  const auto bad = get(researcher, "/staff/koppeling/beoordeling?year=23");
  const auto bad_band = get(researcher, "/api/v1/staff/linkage/review?year=2023&from=2");

  EXPECT_NE(linkage.body.find("href=\"/staff/koppeling/beoordeling\""), std::string::npos);
  EXPECT_EQ(empty.status, 200);
  EXPECT_NE(empty.body.find("Clerical review"), std::string::npos);
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad_band.status, 400);
}

}  // namespace
}  // namespace rapporteur::web
