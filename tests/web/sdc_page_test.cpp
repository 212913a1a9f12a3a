// The staff page for protecting a table from outside the store, answered in-process: only
// researchers (and admins) with the session's CSRF token; a hand-made table's pattern checked
// against the relations it must hide; bad uploads refused with the reason; the downloads.
#include <cctype>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "auth/auth.h"
#include "store/store.h"
#include "test_support.h"
#include "web/web.h"

namespace rapporteur::web {
namespace {

using rapporteur::testing::TempDir;

// A 2x3 table with its margins (A down, B across); (a1, b3) = 2 is the only cell below the
// threshold (min_frequency 3 in the file: cells of 1..3 are unsafe).
//         b1  b2  b3 | Total
//   a1    20  30   2 |   52
//   a2    25  35  40 |  100
//   Total 45  65  42 |  152
constexpr const char* kSmallTable = R"({"name":"klein","protection":{"percent":30,"min_level":1,"min_frequency":3},
"attacker":{"nonnegative":true,"integer":true,"suppressed_min":1},
"dimensions":[{"name":"A","hierarchy":{"Total":["a1","a2"]}},{"name":"B","hierarchy":{"Total":["b1","b2","b3"]}}],
"cells":[{"key":["a1","b1"],"true":20},{"key":["a1","b2"],"true":30},{"key":["a1","b3"],"true":2},
{"key":["a2","b1"],"true":25},{"key":["a2","b2"],"true":35},{"key":["a2","b3"],"true":40}]})";

const std::map<std::pair<std::string, std::string>, std::string> kSmallTruth = {
    {{"a1", "b1"}, "20"},    {{"a1", "b2"}, "30"},    {{"a1", "b3"}, "2"},     {{"a1", "Total"}, "52"},
    {{"a2", "b1"}, "25"},    {{"a2", "b2"}, "35"},    {{"a2", "b3"}, "40"},    {{"a2", "Total"}, "100"},
    {{"Total", "b1"}, "45"}, {{"Total", "b2"}, "65"}, {{"Total", "b3"}, "42"}, {{"Total", "Total"}, "152"}};

std::string form_encoded(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      constexpr const char* kHex = "0123456789ABCDEF";
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

class SdcPageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    auth_ = std::make_unique<auth::Auth>(*store_);
    ASSERT_TRUE(auth_->add_user("rob", store::UserRole::kResearcher, "wachtwoord-rob-123").has_value());
    ASSERT_TRUE(auth_->add_user("eva", store::UserRole::kEditor, "wachtwoord-eva-123").has_value());
    ServerOptions options{.host = "127.0.0.1", .port = 0};
    options.auth = auth_.get();
    options.uploads_folder = (dir_ / "uploads").string();
    options.reports_folder = (dir_ / "reports").string();
    server_ = std::make_unique<Server>(*store_, options);
  }

  // The session cookie and CSRF token of `name`.
  std::pair<std::string, std::string> sign_in(const std::string& name) {
    const auto signed_in = auth_->sign_in(name, "wachtwoord-" + name + "-123");
    EXPECT_TRUE(signed_in.has_value());
    return {"rapporteur_session=" + signed_in->token, signed_in->session.csrf_token};
  }

  LocalResponse post(const std::string& cookie, const std::string& body,
                     const std::string& target = "/staff/beveiliging") {
    return server_->handle({.method = "POST",
                            .target = target,
                            .headers = {{"Cookie", cookie}, {"Content-Type", "application/x-www-form-urlencoded"}},
                            .body = body});
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Auth> auth_;
  std::unique_ptr<Server> server_;
};

TEST_F(SdcPageTest, AnonymousAndOtherRolesAreRefused) {
  const auto [editor, editor_csrf] = sign_in("eva");

  const auto anonymous_get = server_->handle({.target = "/staff/beveiliging"});
  const auto anonymous_post = post("", "file=x");
  const auto editor_get = server_->handle({.target = "/staff/beveiliging", .headers = {{"Cookie", editor}}});
  const auto editor_post = post(editor, "csrf=" + editor_csrf + "&file=" + form_encoded(kSmallTable));

  EXPECT_EQ(anonymous_get.status, 401);
  EXPECT_EQ(anonymous_post.status, 401);
  EXPECT_EQ(editor_get.status, 403);
  EXPECT_EQ(editor_post.status, 403);
}

TEST_F(SdcPageTest, APostWithoutTheCsrfTokenIsRefused) {
  const auto [cookie, csrf] = sign_in("rob");

  const auto without = post(cookie, "file=" + form_encoded(kSmallTable));
  const auto wrong = post(cookie, "csrf=wrong&file=" + form_encoded(kSmallTable));

  EXPECT_EQ(without.status, 403);
  EXPECT_EQ(wrong.status, 403);
}

TEST_F(SdcPageTest, TheFormIsInTheMenuAndInEnglishOnRequest) {
  const auto [cookie, csrf] = sign_in("rob");

  const auto home = server_->handle({.target = "/staff", .headers = {{"Cookie", cookie}}});
  const auto english = server_->handle({.target = "/staff/beveiliging?lang=en", .headers = {{"Cookie", cookie}}});

  EXPECT_NE(home.body.find("href=\"/staff/beveiliging\""), std::string::npos);
  EXPECT_EQ(english.status, 200);
  EXPECT_NE(english.body.find("Protect an outside table"), std::string::npos);
  EXPECT_NE(english.body.find("name=\"csrf\" value=\"" + csrf + "\""), std::string::npos);
}

TEST_F(SdcPageTest, TheSmallCellAndAComplementInItsRowAndColumnAreSuppressed) {
  const auto [cookie, csrf] = sign_in("rob");

  const auto page = post(cookie, "csrf=" + csrf + "&file=" + form_encoded(kSmallTable));
  std::smatch link;
  ASSERT_TRUE(std::regex_search(page.body, link, std::regex(R"(href="(/staff/beveiliging/patroon-[0-9a-f]+)\.csv")")))
      << page.body;
  const auto csv = server_->handle({.target = link[1].str() + ".csv", .headers = {{"Cookie", cookie}}});
  const auto json = server_->handle({.target = link[1].str() + ".json", .headers = {{"Cookie", cookie}}});
  std::map<std::pair<std::string, std::string>, std::string> published;
  std::istringstream lines(csv.body);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "A,B,value");
  while (std::getline(lines, line)) {
    const auto first = line.find(',');
    const auto second = line.find(',', first + 1);
    published[{line.substr(0, first), line.substr(first + 1, second - first - 1)}] = line.substr(second + 1);
  }

  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("id=\"sdc-cells\">12<"), std::string::npos);
  EXPECT_NE(page.body.find("id=\"sdc-primary\">1<"), std::string::npos);
  EXPECT_NE(page.body.find("Doorstaan: 0 overtredingen"), std::string::npos);
  EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(json.header("Content-Type"), "application/json");
  EXPECT_NE(json.body.find("\"published\": null"), std::string::npos);
  ASSERT_EQ(published.size(), kSmallTruth.size());
  // Row a1: a1 Total = a1b1 + a1b2 + a1b3; column b3: Total b3 = a1b3 + a2b3. With a1b3 alone
  // suppressed either relation gives it back, so each needs another suppressed cell.
  EXPECT_EQ(published.at({"a1", "b3"}), "x");
  EXPECT_TRUE(published.at({"a1", "b1"}) == "x" || published.at({"a1", "b2"}) == "x" ||
              published.at({"a1", "Total"}) == "x");
  EXPECT_TRUE(published.at({"a2", "b3"}) == "x" || published.at({"Total", "b3"}) == "x");
  for (const auto& [key, truth] : kSmallTruth) {
    EXPECT_TRUE(published.at(key) == "x" || published.at(key) == truth) << key.first << "," << key.second;
  }
  EXPECT_EQ(page.body.find(">2</td>"), std::string::npos) << "the small count must not appear";
}

TEST_F(SdcPageTest, MalformedUploadsAreRefusedWithTheirReason) {
  const auto [cookie, csrf] = sign_in("rob");

  const auto not_json = post(cookie, "csrf=" + csrf + "&file=" + form_encoded(R"({"dimensions": [)"));
  const auto negative =
      post(cookie, "csrf=" + csrf + "&file=" + form_encoded(R"({"dimensions":[{"name":"A","hierarchy":{"T":["a","b"]}}],
"cells":[{"key":["a"],"true":-4},{"key":["b"],"true":5}]})"));
  const auto bad_rule = post(cookie, "csrf=" + csrf + "&min_frequency=veel&file=" + form_encoded(kSmallTable));
  const auto empty = post(cookie, "csrf=" + csrf + "&file=");

  EXPECT_EQ(not_json.status, 422);
  EXPECT_NE(not_json.body.find("file: not JSON"), std::string::npos) << not_json.body;
  EXPECT_EQ(negative.status, 422);
  EXPECT_NE(negative.body.find("file cell 1, field &#39;true&#39;: not a whole non-negative count"), std::string::npos)
      << negative.body;
  EXPECT_EQ(bad_rule.status, 422);
  EXPECT_NE(bad_rule.body.find("min_frequency"), std::string::npos);
  EXPECT_EQ(empty.status, 400);
  EXPECT_TRUE(std::filesystem::is_empty(dir_ / "uploads")) << "uploads are removed";
}

TEST_F(SdcPageTest, AFileUploadedAsABrowserDoesIsReadAndNamedInItsErrors) {
  const auto [cookie, csrf] = sign_in("rob");
  ServerOptions options{.host = "127.0.0.1", .port = 0};
  options.auth = auth_.get();
  options.uploads_folder = (dir_ / "uploads").string();
  Server server(*store_, options);
  const int port = server.bind().value();
  std::thread serving([&server] { (void)server.serve(); });
  httplib::Client client("127.0.0.1", port);
  const httplib::Headers headers = {{"Cookie", cookie}};

  const auto good = client.Post(
      "/staff/beveiliging", headers,
      httplib::MultipartFormDataItems{{"csrf", csrf, "", ""}, {"file", kSmallTable, "klein.json", "application/json"}});
  const auto bad =
      client.Post("/staff/beveiliging", headers,
                  httplib::MultipartFormDataItems{{"csrf", csrf, "", ""},
                                                  {"file", "{\"cells\": 3", "tabel.json", "application/json"}});
  server.stop();
  serving.join();

  ASSERT_TRUE(good);
  ASSERT_TRUE(bad);
  EXPECT_EQ(good->status, 200);
  EXPECT_NE(good->body.find("id=\"sdc-cells\">12<"), std::string::npos);
  EXPECT_EQ(bad->status, 422);
  EXPECT_NE(bad->body.find("tabel.json: not JSON"), std::string::npos) << bad->body;
}

TEST_F(SdcPageTest, TauArgusPpTablePassesTheAudit) {
  std::ifstream in(std::string(RAPPORTEUR_SHARED_DATA) + "/sdc/tau_pp_freq.json");
  if (!in) GTEST_SKIP() << "shared/data/sdc/tau_pp_freq.json is not here";
  std::stringstream table;
  table << in.rdbuf();
  const auto [cookie, csrf] = sign_in("rob");

  const auto page = post(cookie, "csrf=" + csrf + "&file=" + form_encoded(table.str()), "/staff/beveiliging?lang=en");

  EXPECT_EQ(page.status, 200) << page.body.substr(0, 2000);
  EXPECT_NE(page.body.find("id=\"sdc-cells\">162<"), std::string::npos);
  EXPECT_NE(page.body.find("Passed: 0 violations"), std::string::npos);
}

}  // namespace
}  // namespace rapporteur::web
