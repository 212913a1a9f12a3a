// Adding a publication in the browser (/staff/kennisbank/toevoegen): an editor's upload is
// stored, searchable and audited; other roles, anonymous requests and forms without the CSRF
// token are refused; an empty, corrupt or mislabelled file gets a 422 with its reason and
// stores nothing; no uploaded file stays behind in the uploads folder.
#include <filesystem>
#include <memory>
#include <regex>
#include <string>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>

#include "app/workspace.h"
#include "auth/auth.h"
#include "kb/kb.h"
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

class StaffKbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    auth_ = std::make_unique<auth::Auth>(*store_);
    for (const auto& [name, role] : std::vector<std::pair<std::string, store::UserRole>>{
             {"rob", store::UserRole::kResearcher}, {"eva", store::UserRole::kEditor}}) {
      ASSERT_TRUE(auth_->add_user(name, role, "wachtwoord-" + name + "-123").has_value());
    }
    kb_ = std::move(*kb::KnowledgeBase::open(*store_, {.folder = dir_ / "kb"}));
    workspace_ = std::make_unique<app::Workspace>([this] { return store::open_sqlite_store(dir_ / "r.db"); }, kb_.get(),
                                                  app::InstancePaths{.uploads = dir_ / "uploads"});
    ServerOptions options{.host = "127.0.0.1", .port = 0, .knowledge_base = kb_.get()};
    options.auth = auth_.get();
    options.uploads_folder = (dir_ / "uploads").string();
    options.workspace = workspace_.get();
    server_ = std::make_unique<Server>(*store_, options);
    port_ = server_->bind().value();
    thread_ = std::thread([this] { (void)server_->serve(); });
  }
  void TearDown() override {
    server_->stop();
    thread_.join();
  }
  httplib::Client client() { return httplib::Client("127.0.0.1", port_); }

  // Signs in; returns the session cookie and the CSRF token of the staff pages.
  std::pair<std::string, std::string> sign_in(const std::string& name) {
    auto c = client();
    const auto form = c.Get("/aanmelden");
    const std::string csrf = cookie_value(form, "rapporteur_csrf");
    const auto res =
        c.Post("/aanmelden", {{"Cookie", "rapporteur_csrf=" + csrf}},
               httplib::Params{
                   {"csrf", csrf}, {"name", name}, {"password", "wachtwoord-" + name + "-123"}, {"terug", "/staff"}});
    const std::string session = cookie_value(res, "rapporteur_session");
    const auto home = client().Get("/staff", {{"Cookie", "rapporteur_session=" + session}});
    return {session, field(home->body, "csrf")};
  }

  httplib::Result add(const std::string& session, const std::string& csrf, const std::string& name,
                      const std::string& content) {
    httplib::MultipartFormDataItems items = {{"type", "study", "", ""},
                                             {"title", "Onderzoek naar qwertzland", "", ""},
                                             {"date", "2024-03-15", "", ""},
                                             {"language", "nl", "", ""},
                                             {"theme", "human_trafficking", "", ""},
                                             {"file", content, name, "application/octet-stream"}};
    if (!csrf.empty()) items.push_back({"csrf", csrf, "", ""});
    httplib::Headers headers;
    if (!session.empty()) headers.emplace("Cookie", "rapporteur_session=" + session);
    return client().Post("/staff/kennisbank/toevoegen", headers, items);
  }

  std::size_t publications() { return store_->publication_list().value().size(); }
  std::size_t leftover_uploads() {
    std::error_code ec;
    if (!std::filesystem::exists(dir_ / "uploads", ec)) return 0;
    const auto entries = std::filesystem::directory_iterator(dir_ / "uploads");
    return static_cast<std::size_t>(std::distance(std::filesystem::begin(entries), std::filesystem::end(entries)));
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<auth::Auth> auth_;
  std::unique_ptr<kb::KnowledgeBase> kb_;
  std::unique_ptr<app::Workspace> workspace_;
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
};

TEST_F(StaffKbTest, TheKnowledgeBasePageOffersTheForm) {
  const auto [session, csrf] = sign_in("eva");

  const auto page = client().Get("/staff/kennisbank", {{"Cookie", "rapporteur_session=" + session}});

  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("action=\"/staff/kennisbank/toevoegen\" enctype=\"multipart/form-data\""));
  EXPECT_THAT(page->body, HasSubstr("Publicatie toevoegen"));
  EXPECT_THAT(page->body, HasSubstr("<option value=\"annual_report\">Jaarverslag</option>"));
}

TEST_F(StaffKbTest, AnEditorAddsAMarkdownFileThatIsStoredSearchableAndAudited) {
  const auto [session, csrf] = sign_in("eva");

  const auto res =
      add(session, csrf, "notitie.md", "# Notitie\n\nDit gaat over het land qwertzland en zijn grenzen.\n");

  ASSERT_EQ(res->status, 303) << res->body;
  EXPECT_EQ(res->get_header_value("Location"), "/staff/kennisbank?toegevoegd=onderzoek-naar-qwertzland");
  const auto notice = client().Get(res->get_header_value("Location"), {{"Cookie", "rapporteur_session=" + session}});
  ASSERT_EQ(notice->status, 200);
  EXPECT_THAT(notice->body, HasSubstr("Toegevoegd en doorzoekbaar: <a href=\"/publicaties/onderzoek-naar-qwertzland\">"
                                      "Onderzoek naar qwertzland</a> (bestand: notitie.md)"));
  const auto unknown =
      client().Get("/staff/kennisbank?toegevoegd=bestaat-niet", {{"Cookie", "rapporteur_session=" + session}});
  EXPECT_THAT(unknown->body, Not(HasSubstr("id=\"kb-added\""))) << "no notice for what was not added";
  const auto stored = store_->publication("onderzoek-naar-qwertzland");
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->file_name, "notitie.md") << "the sender's name, not the generated one it was kept under";
  EXPECT_EQ(stored->type, PublicationType::kStudy);
  EXPECT_EQ(stored->date, "2024-03-15");
  EXPECT_EQ(stored->title, "Onderzoek naar qwertzland");
  EXPECT_EQ(stored->mandates, std::vector<Mandate>{Mandate::kHumanTrafficking});
  const auto found = client().Get("/api/v1/search?q=grenzen");
  ASSERT_EQ(found->status, 200);
  EXPECT_THAT(found->body, HasSubstr("\"slug\":\"onderzoek-naar-qwertzland\""));
  const auto log = store_->audit_log(20).value();
  EXPECT_TRUE(std::any_of(log.begin(), log.end(), [](const store::AuditEntry& e) {
    return e.action == "publication_add" && e.user_name == "eva" && e.detail == "onderzoek-naar-qwertzland";
  }));
  EXPECT_EQ(leftover_uploads(), 0u);
}

TEST_F(StaffKbTest, OtherRolesAnonymousRequestsAndMissingCsrfAreRefused) {
  const auto [researcher, researcher_csrf] = sign_in("rob");
  const auto [editor, editor_csrf] = sign_in("eva");
  const std::string text = "# Notitie\n\nqwertzland\n";

  const auto wrong_role = add(researcher, researcher_csrf, "notitie.md", text);
  const auto anonymous = add("", "", "notitie.md", text);
  const auto no_csrf = add(editor, "", "notitie.md", text);

  EXPECT_EQ(wrong_role->status, 403);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_EQ(no_csrf->status, 403);
  EXPECT_EQ(publications(), 0u);
  EXPECT_EQ(leftover_uploads(), 0u);
}

TEST_F(StaffKbTest, EmptyCorruptOrMislabelledFilesGetTheReasonAndStoreNothing) {
  const auto [session, csrf] = sign_in("eva");

  const auto empty = add(session, csrf, "leeg.md", "");
  const auto junk = add(session, csrf, "rapport.pdf", std::string("\x00\x01\x02junk\xff", 8));
  const auto corrupt = add(session, csrf, "kapot.pdf", "%PDF-1.4\nthis is no PDF at all\n");
  const auto unsupported = add(session, csrf, "tabel.xlsx", "PK\x03\x04");

  EXPECT_EQ(empty->status, 422);
  EXPECT_THAT(empty->body, HasSubstr("leeg.md: the file is empty"));
  EXPECT_EQ(junk->status, 422);
  EXPECT_THAT(junk->body, HasSubstr("rapport.pdf: not a PDF document"));
  EXPECT_EQ(corrupt->status, 422);
  // The knowledge base's own reason, naming the file as it was sent.
  EXPECT_THAT(corrupt->body, HasSubstr("kapot.pdf: "));
  EXPECT_EQ(unsupported->status, 422);
  EXPECT_THAT(unsupported->body, HasSubstr("unsupported file type"));
  EXPECT_EQ(publications(), 0u);
  EXPECT_EQ(leftover_uploads(), 0u);
}

}  // namespace
}  // namespace rapporteur::web
