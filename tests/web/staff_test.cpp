// The staff workspace over HTTP: every non-public route refuses anonymous requests and wrong
// roles, forms need the session's CSRF token, sign-in locks out after repeated failures,
// uploads are stored under generated names and run as background jobs, and markup in a search
// query comes back escaped; uploads are judged by their bytes, and every response carries the
// security headers and every cookie its attributes.
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "app/workspace.h"
#include "auth/auth.h"
#include "intake/intake.h"
#include "store/store.h"
#include "test_support.h"
#include "web/web.h"

namespace rapporteur::web {
namespace {

using rapporteur::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::Not;

std::string cookie_value(const httplib::Result& res, const std::string& name) {
  for (const auto& [key, value] : res->headers) {
    if (key == "Set-Cookie" && value.starts_with(name + "="))
      return value.substr(name.size() + 1, value.find(';') - name.size() - 1);
  }
  return "";
}

std::string field(const std::string& body, const std::string& name) {
  std::smatch match;
  const std::regex pattern("name=\"" + name + "\" value=\"([^\"]*)\"");
  return std::regex_search(body, match, pattern) ? match[1].str() : "";
}

class StaffTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    auth_ = std::make_unique<auth::Auth>(*store_);
    for (const auto& [name, role] :
         std::vector<std::pair<std::string, store::UserRole>>{{"ada", store::UserRole::kAdmin},
                                                              {"rob", store::UserRole::kResearcher},
                                                              {"eva", store::UserRole::kEditor}}) {
      ASSERT_TRUE(auth_->add_user(name, role, "wachtwoord-" + name + "-123").has_value());
    }
    // A real workspace on this instance: the labour inspectorate's profile and a key.
    std::filesystem::create_directories(dir_ / "profiles");
    std::filesystem::copy_file(std::filesystem::path(RAPPORTEUR_SOURCE_DIR) / "profiles" / "nla.toml",
                               dir_ / "profiles" / "nla.toml");
    ASSERT_TRUE(intake::PseudonymKey::create_file(dir_ / "pseudonym.key").has_value());
    workspace_ = std::make_unique<app::Workspace>([this] { return store::open_sqlite_store(dir_ / "r.db"); }, nullptr,
                                                  app::InstancePaths{.key = dir_ / "pseudonym.key",
                                                                     .profiles = dir_ / "profiles",
                                                                     .tables = dir_ / "tables",
                                                                     .published = dir_ / "published",
                                                                     .reports = dir_ / "reports",
                                                                     .uploads = dir_ / "uploads"});
    ServerOptions options{.host = "127.0.0.1", .port = 0};
    options.auth = auth_.get();
    options.uploads_folder = (dir_ / "uploads").string();
    options.profiles_folder = (dir_ / "profiles").string();
    options.workspace = workspace_.get();
    options_ = options;
    start_server();
  }
  void start_server() {
    server_ = std::make_unique<Server>(*store_, options_);
    port_ = server_->bind().value();
    thread_ = std::thread([this] { (void)server_->serve(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  httplib::Client client() { return httplib::Client("127.0.0.1", port_); }

  // Signs in; returns the session cookie and the CSRF token of the staff pages.
  std::pair<std::string, std::string> sign_in(const std::string& name, const std::string& password) {
    auto c = client();
    const auto form = c.Get("/aanmelden");
    const std::string csrf = cookie_value(form, "rapporteur_csrf");
    const auto res =
        c.Post("/aanmelden", {{"Cookie", "rapporteur_csrf=" + csrf}},
               httplib::Params{{"csrf", csrf}, {"name", name}, {"password", password}, {"terug", "/staff"}});
    const std::string session = cookie_value(res, "rapporteur_session");
    if (session.empty()) return {"", ""};
    const auto home = c.Get("/staff", {{"Cookie", "rapporteur_session=" + session}});
    return {session, field(home->body, "csrf")};
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Auth> auth_;
  ServerOptions options_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
  std::unique_ptr<app::Workspace> workspace_;
};

// Waits (polling the store) until job `id` has ended; returns its record.
store::JobRecord ended_job(store::Store& store, std::int64_t id) {
  store::JobRecord job = store.job(id).value();
  for (int i = 0; i < 1200 && (job.status == "queued" || job.status == "running"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    job = store.job(id).value();
  }
  return job;
}

std::int64_t job_id(const httplib::Result& started) {
  const std::string location = started->get_header_value("Location");
  return std::stoll(location.substr(location.rfind('/') + 1));
}

// A concrete path for a route pattern.
std::string sample_path(std::string pattern) {
  for (const auto& [group, value] : std::vector<std::pair<std::string, std::string>>{
           {R"((\d{1,9}))", "1"},
           {R"((\d{1,6}))", "1"},
           {R"(([a-z0-9\-]+))", "x"},
           {R"(([a-z0-9_\-]+))", "x"},
           {R"((csv|xlsx))", "csv"},
           {R"(([A-Za-z0-9_.\-/]+))", "style.css"},
           {R"((jaarverslag-\d{4}\.(html|pdf)))", "jaarverslag-2023.pdf"},
           {R"((beoordeling-[A-Za-z0-9_-]{1,80}\.csv))", "beoordeling-t.csv"},
           {R"((patroon-[0-9a-f]{1,64}\.(csv|json)))", "patroon-a.csv"}}) {
    for (std::size_t at; (at = pattern.find(group)) != std::string::npos;) pattern.replace(at, group.size(), value);
  }
  return pattern;
}

TEST_F(StaffTest, EveryStaffRouteRefusesAnonymousRequests) {
  auto c = client();
  int checked = 0;

  for (const auto& route : server_->routes()) {
    if (route.access == Access::kPublic) continue;
    const std::string path = sample_path(route.pattern);
    const auto res = route.method == "GET" ? c.Get(path) : c.Post(path, "csrf=x", "application/x-www-form-urlencoded");
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 401) << route.method << " " << path;
    ++checked;
  }

  EXPECT_GE(checked, 15);
}

TEST_F(StaffTest, RolesAreEnforcedPerRoute) {
  const auto [editor, editor_csrf] = sign_in("eva", "wachtwoord-eva-123");
  const auto [researcher, researcher_csrf] = sign_in("rob", "wachtwoord-rob-123");
  ASSERT_FALSE(editor.empty());
  ASSERT_FALSE(researcher.empty());
  auto c = client();
  const httplib::Headers as_editor = {{"Cookie", "rapporteur_session=" + editor}};
  const httplib::Headers as_researcher = {{"Cookie", "rapporteur_session=" + researcher}};

  EXPECT_EQ(c.Get("/staff", as_editor)->status, 200);
  EXPECT_EQ(c.Get("/staff/intake", as_editor)->status, 403);
  EXPECT_EQ(c.Get("/staff/schatten", as_editor)->status, 403);
  EXPECT_EQ(c.Get("/api/v1/registrations/counts", as_editor)->status, 403);
  EXPECT_EQ(c.Get("/staff/kennisbank", as_editor)->status, 200);
  EXPECT_EQ(c.Get("/staff/kennisbank", as_researcher)->status, 403);
  EXPECT_EQ(c.Get("/staff/intake", as_researcher)->status, 200);
  EXPECT_EQ(c.Get("/staff/gebruikers", as_researcher)->status, 403);
  EXPECT_EQ(c.Post("/staff/gebruikers", as_researcher,
                   httplib::Params{{"csrf", researcher_csrf}, {"name", "mallory"}, {"role", "admin"}})
                ->status,
            403);
  EXPECT_FALSE(store_->user("mallory").has_value());
}

// The linkage export: researchers download it as CSV; anonymous requests get 401 and an editor
// 403. Two records of one person (the same keyed id at two sources) share
// an id; the third record is another person.
TEST_F(StaffTest, LinkageExportIsACsvDownloadForResearchersOnly) {
  ASSERT_TRUE(store_->put_source({"politie", "Politie", SourceKind::kPolice}));
  ASSERT_TRUE(store_->put_source({"comensha", "CoMensha", SourceKind::kVictimCoordination}));
  const auto victim = [](std::string source, std::string key, std::optional<std::string> record_id) {
    Registration r;
    r.source_code = std::move(source);
    r.person_key = std::move(key);
    r.record_id = std::move(record_id);
    r.year = 2023;
    r.exploitation_form = ExploitationForm::kLabour;
    return r;
  };
  ASSERT_TRUE(
      store_
          ->add_registrations({victim("politie", "k1", "PV-2023-000001"), victim("comensha", "k1", std::nullopt),
                               victim("comensha", "k2", "CMS-2023-000123")})
          .has_value());
  const auto [editor, editor_csrf] = sign_in("eva", "wachtwoord-eva-123");
  const auto [researcher, researcher_csrf] = sign_in("rob", "wachtwoord-rob-123");
  auto c = client();
  const std::string path = "/api/v1/staff/linkage/export?year=2023&method=deterministic";

  const auto anonymous = c.Get(path);
  const auto as_editor = c.Get(path, {{"Cookie", "rapporteur_session=" + editor}});
  const auto all = c.Get(path, {{"Cookie", "rapporteur_session=" + researcher}});
  const auto comensha = c.Get(path + "&source=comensha", {{"Cookie", "rapporteur_session=" + researcher}});
  const auto bad_year = c.Get("/api/v1/staff/linkage/export?year=23", {{"Cookie", "rapporteur_session=" + researcher}});
  const auto bad_source = c.Get(path + "&source=atlantis", {{"Cookie", "rapporteur_session=" + researcher}});

  ASSERT_TRUE(anonymous && as_editor && all && comensha && bad_year && bad_source);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(as_editor->status, 403);
  ASSERT_EQ(all->status, 200) << all->body;
  EXPECT_EQ(all->get_header_value("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_THAT(all->get_header_value("Content-Disposition"), HasSubstr("attachment; filename="));
  EXPECT_EQ(all->get_header_value("Cache-Control"), "no-store");
  // Ids are given in the linkage's order of persons; person k1 has both first records.
  EXPECT_EQ(all->body,
            "source,record_id,person_id\ncomensha,,1\ncomensha,CMS-2023-000123,2\npolitie,PV-2023-000001,1\n");
  ASSERT_EQ(comensha->status, 200);
  EXPECT_EQ(comensha->body, "source,record_id,person_id\ncomensha,,1\ncomensha,CMS-2023-000123,2\n");
  EXPECT_EQ(comensha->get_header_value("X-Rows-Without-Record-Id"), "1");
  EXPECT_EQ(bad_year->status, 400);
  EXPECT_THAT(bad_year->body, HasSubstr("year"));
  EXPECT_EQ(bad_source->status, 400);
  EXPECT_THAT(bad_source->body, HasSubstr("atlantis"));
}

// The linkage page and the people found again, on a hand-made set linked by exact keys: k1 is
// a victim at the police in 2022 and 2023 and a suspect at the prosecution service in 2023;
// k2 is a victim in 2023 only. So 2023 has 2 victims (1 seen before) and 1 suspect who is also
// a victim; 2 persons in all.
TEST_F(StaffTest, TheLinkagePageAndApiCountThePeopleFoundAgainAcrossYearsAndRoles) {
  ASSERT_TRUE(store_->put_source({"politie", "Politie", SourceKind::kPolice}));
  ASSERT_TRUE(store_->put_source({"om", "OM", SourceKind::kProsecution}));
  const auto registration = [](std::string source, std::string key, int year, Role role) {
    Registration r;
    r.source_code = std::move(source);
    r.person_key = std::move(key);
    r.year = year;
    r.role = role;
    r.exploitation_form = ExploitationForm::kCriminal;
    if (role == Role::kSuspect) r.chain_stage = ChainStage::kRegistered;
    return r;
  };
  ASSERT_TRUE(store_
                  ->add_registrations({registration("politie", "k1", 2022, Role::kVictim),
                                       registration("politie", "k1", 2023, Role::kVictim),
                                       registration("om", "k1", 2023, Role::kSuspect),
                                       registration("politie", "k2", 2023, Role::kVictim)})
                  .has_value());
  const auto [researcher, csrf] = sign_in("rob", "wachtwoord-rob-123");
  const httplib::Headers as_researcher{{"Cookie", "rapporteur_session=" + researcher}};
  auto c = client();

  const auto year = c.Get("/staff/koppeling?year=2023&method=deterministic", as_researcher);
  const auto across =
      c.Get("/staff/koppeling?first_year=2022&last_year=2023&method=deterministic&lang=en", as_researcher);
  const auto api =
      c.Get("/api/v1/staff/linkage/across?first_year=2022&last_year=2023&method=deterministic", as_researcher);
  const auto bad = c.Get("/staff/koppeling?first_year=twenty&last_year=2023", as_researcher);
  const auto empty = c.Get("/api/v1/staff/linkage/across?first_year=2010&last_year=2011", as_researcher);
  const auto anonymous = c.Get("/api/v1/staff/linkage/across?first_year=2022&last_year=2023");

  ASSERT_TRUE(year && across && api && bad && empty && anonymous);
  ASSERT_EQ(year->status, 200) << year->body;
  EXPECT_THAT(year->body, HasSubstr("id=\"linkage-persons\">2<"));
  EXPECT_THAT(year->body, HasSubstr("/api/v1/staff/linkage/export?year=2023&amp;mandate=human_trafficking"));
  ASSERT_EQ(across->status, 200) << across->body;
  EXPECT_THAT(across->body, HasSubstr("id=\"linkage-both-roles\">1<"));
  EXPECT_THAT(across->body, HasSubstr("id=\"linkage-several-years\">1<"));
  EXPECT_THAT(across->body, HasSubstr("<tr><th scope=\"row\">2023</th><td class=\"num\">2</td><td "
                                      "class=\"num\">1</td><td class=\"num\">1</td><td class=\"num\">0</td><td "
                                      "class=\"num\">1</td></tr>"));
  EXPECT_THAT(across->body, HasSubstr("Found again"));
  ASSERT_EQ(api->status, 200) << api->body;
  const auto json = nlohmann::json::parse(api->body);
  EXPECT_EQ(json["persons"], 2);
  EXPECT_EQ(json["victims_and_suspects"], 1);
  EXPECT_EQ(json["victims_and_suspects_by_form"]["criminal"], 1);
  ASSERT_EQ(json["years"].size(), 2u);
  EXPECT_EQ(json["years"][1]["victims"], 2);
  EXPECT_EQ(json["years"][1]["victims_seen_before"], 1);
  EXPECT_EQ(json["years"][1]["suspects_also_victims"], 1);
  EXPECT_EQ(json["years"][0]["suspects"], 0);
  EXPECT_EQ(bad->status, 400);
  EXPECT_THAT(bad->body, HasSubstr("first_year"));
  EXPECT_EQ(empty->status, 404);
  EXPECT_EQ(anonymous->status, 401);

  // Lasting ids: every record of the mandate with its id, one id per person over years and
  // roles; a second run keeps them.
  const auto csv = c.Get("/api/v1/staff/linkage/across?first_year=2023&last_year=2023&method=deterministic&format=csv",
                         as_researcher);
  const auto again = c.Get(
      "/api/v1/staff/linkage/across?first_year=2023&last_year=2023&method=deterministic&keep_ids=1", as_researcher);
  const auto bad_format =
      c.Get("/api/v1/staff/linkage/across?first_year=2023&last_year=2023&format=xml", as_researcher);
  ASSERT_TRUE(csv && again && bad_format);
  ASSERT_EQ(csv->status, 200) << csv->body;
  std::vector<std::string> lines;
  std::istringstream in(csv->body);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 5u) << csv->body;
  EXPECT_EQ(lines[0], "source,year,role,record_id,person_id");
  const auto id_of = [](const std::string& line) { return line.substr(line.rfind(',') + 1); };
  EXPECT_EQ(lines[1].rfind("om,2023,suspect,,", 0), 0u) << lines[1];
  EXPECT_EQ(lines[2].rfind("politie,2022,victim,,", 0), 0u) << lines[2];
  EXPECT_EQ(id_of(lines[1]), id_of(lines[2])) << "k1 as a suspect and as a victim a year earlier: one person";
  const std::set<std::string> ids{id_of(lines[1]), id_of(lines[2]), id_of(lines[3]), id_of(lines[4])};
  EXPECT_EQ(ids.size(), 2u) << csv->body;
  ASSERT_EQ(again->status, 200) << again->body;
  EXPECT_EQ(nlohmann::json::parse(again->body)["person_ids"]["kept"], 2);
  EXPECT_EQ(nlohmann::json::parse(again->body)["person_ids"]["added"], 0);
  EXPECT_EQ(bad_format->status, 400);
}

TEST_F(StaffTest, EveryRoleRestrictedRouteRefusesTheWrongRole) {
  const auto [editor, editor_csrf] = sign_in("eva", "wachtwoord-eva-123");
  const auto [researcher, researcher_csrf] = sign_in("rob", "wachtwoord-rob-123");
  auto c = client();
  int checked = 0;

  for (const auto& route : server_->routes()) {
    // The role that lacks the route's right: an editor for research routes, a researcher for
    // editing and administration.
    const bool research = route.access == Access::kResearcher;
    if (!research && route.access != Access::kEditor && route.access != Access::kAdmin) continue;
    const std::string& session = research ? editor : researcher;
    const std::string& csrf = research ? editor_csrf : researcher_csrf;
    const httplib::Headers headers = {{"Cookie", "rapporteur_session=" + session}};
    const std::string path = sample_path(route.pattern);
    const auto res =
        route.method == "GET" ? c.Get(path, headers) : c.Post(path, headers, httplib::Params{{"csrf", csrf}});
    ASSERT_TRUE(res) << path;
    EXPECT_EQ(res->status, 403) << route.method << " " << path;
    ++checked;
  }

  EXPECT_GE(checked, 14);
}

TEST_F(StaffTest, FormsWithoutTheSessionsCsrfTokenAreRefused) {
  const auto [session, csrf] = sign_in("ada", "wachtwoord-ada-123");
  const auto [other_session, other_csrf] = sign_in("rob", "wachtwoord-rob-123");
  auto c = client();
  const httplib::Headers headers = {{"Cookie", "rapporteur_session=" + session}};
  const httplib::Params estimate = {
      {"year", "2023"}, {"mandate", "human_trafficking"}, {"by", ""}, {"criterion", "bic"}, {"bootstrap", "0"}};

  auto missing = estimate;
  auto foreign = estimate;
  foreign.emplace("csrf", other_csrf);
  auto valid = estimate;
  valid.emplace("csrf", csrf);

  EXPECT_EQ(c.Post("/staff/schatten", headers, missing)->status, 403);
  EXPECT_EQ(c.Post("/staff/schatten", headers, foreign)->status, 403);
  const auto accepted = c.Post("/staff/schatten", headers, valid);
  EXPECT_EQ(accepted->status, 303);
  EXPECT_THAT(accepted->get_header_value("Location"), HasSubstr("/staff/jobs/"));
  EXPECT_EQ(c.Post("/afmelden", headers, httplib::Params{})->status, 403) << "sign-out needs the token too";
}

TEST_F(StaffTest, SignInLocksOutAfterFiveFailuresAndIsAudited) {
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(sign_in("rob", "fout-wachtwoord").first.empty());

  const auto locked = sign_in("rob", "wachtwoord-rob-123");
  const auto unknown = sign_in("niemand", "wachtwoord-rob-123");

  EXPECT_TRUE(locked.first.empty()) << "locked out despite the right password";
  EXPECT_TRUE(unknown.first.empty());
  const auto log = *store_->audit_log(100);
  const auto count = [&](const std::string& action) {
    return std::count_if(log.begin(), log.end(),
                         [&](const auto& e) { return e.action == action && e.user_name == "rob"; });
  };
  EXPECT_EQ(count("sign_in_failed"), 5);
  EXPECT_EQ(count("sign_in_refused"), 1);
  EXPECT_FALSE(store_->user("rob")->locked_until.empty());
}

TEST_F(StaffTest, SignInFormNeedsItsCsrfCookieAndSignOutEndsTheSession) {
  auto c = client();
  const auto forged =
      c.Post("/aanmelden", httplib::Params{{"csrf", "abc"}, {"name", "ada"}, {"password", "wachtwoord-ada-123"}});
  const auto [session, csrf] = sign_in("ada", "wachtwoord-ada-123");
  const httplib::Headers headers = {{"Cookie", "rapporteur_session=" + session}};

  const auto out = c.Post("/afmelden", headers, httplib::Params{{"csrf", csrf}});
  const auto after = c.Get("/staff", headers);

  EXPECT_EQ(forged->status, 403);
  EXPECT_TRUE(cookie_value(forged, "rapporteur_session").empty());
  EXPECT_EQ(out->status, 303);
  EXPECT_EQ(after->status, 401);
}

TEST_F(StaffTest, UploadIsStoredUnderAGeneratedNameAndRunAsAJob) {
  const auto [session, csrf] = sign_in("rob", "wachtwoord-rob-123");
  auto c = client();
  const std::string extract =
      "bsn\tvoornaam\tachternaam\tgeboortedatum\tgeslacht\tvorm\tnationaliteit\tdatum_signaal\tzaaknummer\n"
      "111222333\tTesta\tVoorbeeld\t1990-02-03\tvrouw\tarbeidsuitbuiting\tPL\t2023-02-02\n";
  const httplib::MultipartFormDataItems items = {{"csrf", csrf, "", ""},
                                                 {"profile", "nla", "", ""},
                                                 {"year", "2023", "", ""},
                                                 {"file", extract, "../../etc/passwd.csv", "text/csv"}};

  const auto res = c.Post("/staff/intake", {{"Cookie", "rapporteur_session=" + session}}, items);
  const auto bad_profile = c.Post(
      "/staff/intake", {{"Cookie", "rapporteur_session=" + session}},
      httplib::MultipartFormDataItems{
          {"csrf", csrf, "", ""}, {"profile", "../x", "", ""}, {"year", "2023", "", ""}, {"file", "a", "x.csv", ""}});

  ASSERT_EQ(res->status, 303) << res->body;
  EXPECT_EQ(bad_profile->status, 400);
  const store::JobRecord job = ended_job(*store_, job_id(res));
  EXPECT_EQ(job.status, "done") << job.messages;
  EXPECT_EQ(job.kind, "intake");
  const auto batches = store_->batches();
  ASSERT_TRUE(batches.has_value());
  ASSERT_EQ(batches->size(), 1u);
  EXPECT_EQ(batches->front().rows_loaded, 1);
  // Stored under a generated name: neither the batch nor the folder has the client's name.
  EXPECT_THAT(batches->front().file_name, Not(HasSubstr("passwd")));
  const auto page = c.Get(res->get_header_value("Location"), {{"Cookie", "rapporteur_session=" + session}});
  EXPECT_EQ(page->status, 200);
  // The extract holds identifying data: once its job has ended it is gone.
  EXPECT_FALSE(std::filesystem::exists(dir_ / "uploads" / batches->front().file_name));
  std::size_t left = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "uploads"))
    left += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(left, 0u);
}

// Choosing English once (?lang=en) holds for the pages reached by links and redirects, which
// do not carry the parameter; Dutch stays the default.
TEST_F(StaffTest, TheChosenLanguageHoldsOnTheFollowingPages) {
  const auto [session, csrf] = sign_in("rob", "wachtwoord-rob-123");
  auto c = client();
  const std::string signed_in = "rapporteur_session=" + session;

  const auto dutch = c.Get("/staff/intake", {{"Cookie", signed_in}});
  const auto choose = c.Get("/staff?lang=en", {{"Cookie", signed_in}});
  const std::string chosen = cookie_value(choose, "rapporteur_lang");
  const auto next = c.Get("/staff/intake", {{"Cookie", signed_in + "; rapporteur_lang=" + chosen}});
  const auto public_page = c.Get("/cijfers", {{"Cookie", "rapporteur_lang=" + chosen}});
  const auto back = c.Get("/staff/intake?lang=nl", {{"Cookie", signed_in + "; rapporteur_lang=" + chosen}});

  ASSERT_EQ(dutch->status, 200);
  EXPECT_THAT(dutch->body, HasSubstr("Bronnen laden"));
  EXPECT_THAT(dutch->body, HasSubstr("href=\"/staff?lang=en\""));
  EXPECT_EQ(chosen, "en");
  EXPECT_THAT(choose->get_header_value("Set-Cookie"), HasSubstr("SameSite=Lax"));
  ASSERT_EQ(next->status, 200);
  EXPECT_THAT(next->body, HasSubstr("Load sources"));
  EXPECT_THAT(next->body, Not(HasSubstr("Bronnen laden")));
  EXPECT_THAT(next->body, HasSubstr("href=\"/staff?lang=nl\""));
  EXPECT_THAT(public_page->body, HasSubstr("<html lang=\"en\""));
  EXPECT_THAT(back->body, HasSubstr("Bronnen laden")) << "an explicit ?lang= wins over the cookie";
  EXPECT_EQ(cookie_value(back, "rapporteur_lang"), "nl");
}

// The account opens on the latest year with a record, not on a fixed or empty year.
TEST_F(StaffTest, TheAccountOpensOnTheLatestYearWithARecord) {
  ASSERT_TRUE(
      store_->put_activity({"2019-06-01", rapporteur::ActivityKind::kBriefing, "Tweede Kamer", "Rondetafel 2019", ""}));
  ASSERT_TRUE(
      store_->put_activity({"2021-06-01", rapporteur::ActivityKind::kBriefing, "Tweede Kamer", "Rondetafel 2021", ""}));
  const auto [session, csrf] = sign_in("eva", "wachtwoord-eva-123");
  auto c = client();

  const auto page = c.Get("/staff/verantwoording", httplib::Headers{{"Cookie", "rapporteur_session=" + session}});

  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("Rondetafel 2021"));
  EXPECT_THAT(page->body, Not(HasSubstr("Rondetafel 2019")));
}

TEST_F(StaffTest, AnEditorRemovesAMistypedActivityAndTheRemovalIsAudited) {
  const auto [session, csrf] = sign_in("eva", "wachtwoord-eva-123");
  auto c = client();
  const httplib::Headers signed_in{{"Cookie", "rapporteur_session=" + session}};
  const httplib::Params entry{{"csrf", csrf},
                              {"date", "2023-04-01"},
                              {"kind", "briefing"},
                              {"organisation", "Tweede Kamer"},
                              {"title", "Monitr <typo>"}};

  const auto added = c.Post("/staff/verantwoording/activiteit", signed_in, entry);
  const auto listed = c.Get("/staff/verantwoording?year=2023", signed_in);
  const auto removed = c.Post("/staff/verantwoording/activiteit/verwijderen", signed_in, entry);
  const auto after = c.Get("/staff/verantwoording?year=2023", signed_in);
  const auto again = c.Post("/staff/verantwoording/activiteit/verwijderen", signed_in, entry);

  ASSERT_EQ(added->status, 303) << added->body;
  EXPECT_THAT(listed->body, HasSubstr("action=\"/staff/verantwoording/activiteit/verwijderen\""));
  EXPECT_THAT(listed->body, HasSubstr("value=\"Monitr &lt;typo&gt;\""));
  ASSERT_EQ(removed->status, 303) << removed->body;
  EXPECT_THAT(after->body, Not(HasSubstr("Monitr")));
  EXPECT_EQ(again->status, 404);
  EXPECT_TRUE(store_->activities(2023).value().empty());
  bool audited = false;
  const auto log = store_->audit_log(20).value();
  for (const auto& e : log) {
    audited = audited || (e.action == "activity_remove" && e.user_name == "eva");
  }
  EXPECT_TRUE(audited);
}

// A job and its outcome outlive the server that ran it; a job the server left running is
// shown as interrupted after a restart.
TEST_F(StaffTest, JobsOutliveARestartAndOnesLeftRunningAreMarkedInterrupted) {
  const auto [session, csrf] = sign_in("eva", "wachtwoord-eva-123");
  const httplib::Headers signed_in{{"Cookie", "rapporteur_session=" + session}};
  const std::string year_file =
      "year: 2023\nactivities:\n  - {date: 2023-02-01, kind: advisory_board, organisation: WODC, title: Adviesraad}\n";
  const auto started = client().Post(
      "/staff/verantwoording/importeren", signed_in,
      httplib::MultipartFormDataItems{{"csrf", csrf, "", ""}, {"file", year_file, "2023.yaml", "text/yaml"}});
  ASSERT_EQ(started->status, 303) << started->body;
  const std::string job_page = started->get_header_value("Location");
  const std::int64_t id = job_id(started);
  const store::JobRecord ended = ended_job(*store_, id);
  ASSERT_EQ(ended.status, "done") << ended.messages;
  const auto orphan = store_->add_job({0, "intake", "Laden: politie 2022", "rob", "2026-11-28T08:00:00Z"}).value();

  server_->stop();
  thread_.join();
  start_server();
  auto c = client();
  const auto finished = c.Get(job_page, signed_in);
  const auto interrupted = c.Get("/staff/jobs/" + std::to_string(orphan), signed_in);
  const auto home = c.Get("/staff", signed_in);

  ASSERT_EQ(finished->status, 200);
  EXPECT_THAT(finished->body, HasSubstr("data-status=\"done\""));
  const auto api = c.Get("/api/v1/staff/jobs/" + std::to_string(id), signed_in);
  ASSERT_EQ(api->status, 200);
  EXPECT_EQ(nlohmann::json::parse(api->body)["output"], ended.output) << "the output was kept";
  EXPECT_THAT(ended.output, HasSubstr("1 activities")) << "the import ran";
  ASSERT_EQ(interrupted->status, 200);
  EXPECT_THAT(interrupted->body, HasSubstr("data-status=\"interrupted\""));
  EXPECT_THAT(interrupted->body, HasSubstr("start haar opnieuw"));
  EXPECT_THAT(home->body, HasSubstr("Laden: politie 2022"));
  EXPECT_EQ(c.Get("/staff/jobs/999999", signed_in)->status, 404);
}

// What an upload is comes from its bytes: a PDF or binary file named .csv is refused, a
// workbook named .yaml too, and a CSV extract whose name says .exe is loaded as CSV. Nothing
// refused is kept.
TEST_F(StaffTest, UploadsAreJudgedByTheirBytesNotTheirName) {
  const auto [session, csrf] = sign_in("ada", "wachtwoord-ada-123");
  auto c = client();
  const httplib::Headers signed_in{{"Cookie", "rapporteur_session=" + session}};
  const auto upload = [&](const std::string& bytes, const std::string& name) {
    return c.Post("/staff/intake", signed_in,
                  httplib::MultipartFormDataItems{{"csrf", csrf, "", ""},
                                                  {"profile", "nla", "", ""},
                                                  {"year", "2023", "", ""},
                                                  {"file", bytes, name, "text/csv"}});
  };
  const std::string extract =
      "bsn\tvoornaam\tachternaam\tgeboortedatum\tgeslacht\tvorm\tnationaliteit\tdatum_signaal\tzaaknummer\n"
      "111222333\tTesta\tVoorbeeld\t1990-02-03\tvrouw\tarbeidsuitbuiting\tPL\t2023-02-02\n";

  const auto pdf = upload("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n", "extract.csv");
  const auto binary = upload(std::string("bsn\tnaam\n\0\x01\x02", 12), "extract.csv");
  const auto workbook_as_yaml =
      c.Post("/staff/verantwoording/importeren", signed_in,
             httplib::MultipartFormDataItems{{"csrf", csrf, "", ""},
                                             {"file", std::string("PK\x03\x04\x14\0", 6), "2023.yaml", ""}});
  const auto csv_named_exe = upload(extract, "extract.exe");

  ASSERT_EQ(pdf->status, 400);
  EXPECT_THAT(pdf->body, HasSubstr("PDF"));
  ASSERT_EQ(binary->status, 400);
  EXPECT_THAT(binary->body, HasSubstr("not text"));
  ASSERT_EQ(workbook_as_yaml->status, 400);
  EXPECT_THAT(workbook_as_yaml->body, HasSubstr("workbook"));
  ASSERT_EQ(csv_named_exe->status, 303) << csv_named_exe->body;
  const store::JobRecord job = ended_job(*store_, job_id(csv_named_exe));
  EXPECT_EQ(job.status, "done") << job.messages;
  ASSERT_EQ(store_->batches()->size(), 1u);
  EXPECT_TRUE(store_->batches()->front().file_name.ends_with(".csv"));
  EXPECT_EQ(store_->batches()->front().rows_loaded, 1);
  std::size_t left = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir_ / "uploads"))
    left += entry.is_regular_file() ? 1 : 0;
  EXPECT_EQ(left, 0u) << "a refused upload was kept";
}

// A cookie's attributes, lower-cased names to values ("" for flags).
std::map<std::string, std::string> cookie_attributes(const httplib::Result& res, const std::string& name) {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : res->headers) {
    if (key != "Set-Cookie" || !value.starts_with(name + "=")) continue;
    std::size_t at = value.find(';');
    while (at != std::string::npos) {
      std::size_t end = value.find(';', at + 1);
      std::string part = value.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
      while (!part.empty() && part.front() == ' ') part.erase(0, 1);
      const std::size_t equals = part.find('=');
      std::string attribute = part.substr(0, equals);
      std::transform(attribute.begin(), attribute.end(), attribute.begin(),
                     [](unsigned char ch) { return std::tolower(ch); });
      out[attribute] = equals == std::string::npos ? "" : part.substr(equals + 1);
      at = end;
    }
  }
  return out;
}

// Every kind of response carries the security headers (pages, errors, the API, static assets,
// refusals), and every cookie is HttpOnly with a SameSite rule, and Secure behind TLS.
TEST_F(StaffTest, EveryResponseCarriesTheSecurityHeadersAndEveryCookieItsAttributes) {
  const auto [session, csrf] = sign_in("ada", "wachtwoord-ada-123");
  auto c = client();
  const httplib::Headers signed_in{{"Cookie", "rapporteur_session=" + session}};
  std::vector<std::pair<std::string, httplib::Result>> responses;
  responses.emplace_back("home", c.Get("/"));
  responses.emplace_back("404", c.Get("/bestaat-niet"));
  responses.emplace_back("api", c.Get("/api/v1/sources"));
  responses.emplace_back("api 404", c.Get("/api/v1/publications/bestaat-niet"));
  responses.emplace_back("static", c.Get("/static/style.css"));
  responses.emplace_back("sign-in", c.Get("/aanmelden"));
  responses.emplace_back("staff anonymous", c.Get("/staff"));
  responses.emplace_back("staff", c.Get("/staff", signed_in));
  responses.emplace_back("no csrf", c.Post("/staff/gebruikers", signed_in, httplib::Params{{"name", "x"}}));
  responses.emplace_back("too large",
                         c.Post("/aanmelden", std::string(2 << 20, 'a'), "application/x-www-form-urlencoded"));

  for (const auto& [what, res] : responses) {
    ASSERT_TRUE(res) << what;
    const std::string csp = res->get_header_value("Content-Security-Policy");
    EXPECT_THAT(csp, HasSubstr("default-src 'self'")) << what;
    EXPECT_THAT(csp, HasSubstr("frame-ancestors 'none'")) << what;
    EXPECT_THAT(csp, HasSubstr("object-src 'none'")) << what;
    EXPECT_THAT(csp, Not(HasSubstr("unsafe-inline"))) << what;
    EXPECT_EQ(res->get_header_value("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(res->get_header_value("Referrer-Policy"), "no-referrer") << what;
    EXPECT_EQ(res->get_header_value("X-Frame-Options"), "DENY") << what;
  }
  EXPECT_EQ(responses[9].second->status, 413);

  // Cookies, over plain HTTP and behind a TLS proxy.
  for (const bool tls : {false, true}) {
    httplib::Headers proxy;
    if (tls) proxy.emplace("X-Forwarded-Proto", "https");
    const auto form = c.Get("/aanmelden", proxy);
    const std::string form_csrf = cookie_value(form, "rapporteur_csrf");
    httplib::Headers with_csrf = proxy;
    with_csrf.emplace("Cookie", "rapporteur_csrf=" + form_csrf);
    const auto signed_in_now =
        c.Post("/aanmelden", with_csrf,
               httplib::Params{{"csrf", form_csrf}, {"name", "eva"}, {"password", "wachtwoord-eva-123"}});
    const auto language = c.Get("/?lang=en", proxy);

    const std::vector<std::tuple<std::string, const httplib::Result*, std::string>> cookies = {
        {"rapporteur_csrf", &form, "Strict"},
        {"rapporteur_session", &signed_in_now, "Strict"},
        {"rapporteur_lang", &language, "Lax"}};
    for (const auto& [name, res, same_site] : cookies) {
      const auto attributes = cookie_attributes(*res, name);
      ASSERT_FALSE(attributes.empty()) << name << " was not set";
      EXPECT_TRUE(attributes.contains("httponly")) << name;
      EXPECT_EQ(attributes.count("samesite") ? attributes.at("samesite") : "", same_site) << name;
      EXPECT_EQ(attributes.contains("secure"), tls)
          << name << (tls ? " lacks Secure behind TLS" : " is Secure over HTTP");
      EXPECT_TRUE(attributes.contains("path")) << name;
    }
    EXPECT_EQ(cookie_attributes(signed_in_now, "rapporteur_session").at("max-age"), "28800");
  }
}

TEST_F(StaffTest, MarkupInASearchQueryComesBackEscaped) {
  auto c = client();

  const auto res = c.Get("/zoeken?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E%22%3E");

  ASSERT_TRUE(res);
  EXPECT_THAT(res->body, Not(HasSubstr("<script>alert(1)")));
  EXPECT_THAT(res->body, HasSubstr("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;"));
}

}  // namespace
}  // namespace rapporteur::web
