// The planted-value scan of issue 22: an extract whose bad rows hold made-up identifying values
// (a national id, an impossible birth date, a surname, an address and a birthplace that the
// profile marks as identifying) is loaded into a fresh instance through the command line. Then
// every place such a value could end up is searched for each of them: the database file and its
// write-ahead log, everything else in the instance's folder, the CLI's output and logs (at debug
// level), `intake errors` and the staff workspace's batch page. The truth is the list of planted
// values itself: none of them may appear anywhere, as written or lower-cased.
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <gtest/gtest.h>
#include <httplib.h>

#include "auth/auth.h"
#include "cli/cli.h"
#include "store/store.h"
#include "test_support.h"
#include "web/web.h"

namespace rapporteur {
namespace {

using rapporteur::testing::TempDir;

// All invented. The surname, address and birthplace exist nowhere in the code or the profile.
constexpr std::array<std::string_view, 5> kPlanted{"987654321", "31-02-1987", "Zwanenburgh-Qvist", "Kievitslaan 88-III",
                                                   "Oosterwoldhuizen"};

constexpr const char* kProfile = R"(
name = "lektest"
[source]
code = "lektest"
name = "Lektest"
kind = "police"
[format]
type = "csv"
delimiter = ";"
date_format = "dd-mm-yyyy"
[record]
mandate = "human_trafficking"
role = "victim"
region_by = "name"
identifying = ["Adres", "geboorteplaats"]
[columns]
national_id = "BSN"
first_name = "Voornaam"
last_name = "Achternaam"
residence_status = "Verblijf"
sex = "Geslacht"
birth_date = "Geb.datum"
exploitation_form = "Vorm uitbuiting"
nationality = "Nationaliteit"
region = "Geboorteplaats"
[labels.sex]
"vrouw" = "female"
"man" = "male"
[labels.exploitation_form]
"arbeidsuitbuiting" = "labour"
"seksuele uitbuiting" = "sexual"
)";

// Row numbers as a spreadsheet shows them (header = 1). Residence status and nationality have
// no label table, so our own codes and ISO codes are expected there.
constexpr const char* kExtract =
    "BSN;Voornaam;Achternaam;Verblijf;Geslacht;Geb.datum;Vorm uitbuiting;Adres;Nationaliteit;Geboorteplaats;Opmerking\n"
    // 2: good.
    "100000001;Anna;Jansen;dutch;Vrouw;01-01-1990;Arbeidsuitbuiting;Dorpsstraat 1;NL;;\n"
    // 3: an impossible date of birth.
    "987654321;Bea;Zwanenburgh-Qvist;dutch;Vrouw;31-02-1987;Arbeidsuitbuiting;Kievitslaan 88-III;NL;;\n"
    // 4: an unquoted ';' in the first name ("Eva; Maria") shifts every later column by one; the
    // missing remark keeps the field count equal to the header's.
    "987654321;Eva;Maria;Zwanenburgh-Qvist;dutch;Vrouw;31-02-1987;Arbeidsuitbuiting;Kievitslaan 88-III;NL;\n"
    // 5: shifted by two: the surname lands in the sex column (a label table).
    "555000111;Dirk;Jan;van;Zwanenburgh-Qvist;Vrouw;01-01-1980;Arbeidsuitbuiting;x;NL\n"
    // 6: the national id typed into the nationality column.
    ";Fleur;Zwanenburgh-Qvist;dutch;Vrouw;01-01-1985;Arbeidsuitbuiting;Kievitslaan 88-III;987654321;;\n"
    // 7: a plain unknown label: not identifying, so it may be shown.
    "100000007;Gert;Smit;dutch;Man;02-02-1970;Orgaanhandel;Dorpsstraat 2;NL;;\n"
    // 8: an unknown birthplace in a column the profile marks as identifying.
    "100000008;Hans;Smit;dutch;Man;03-03-1971;Arbeidsuitbuiting;Dorpsstraat 3;NL;Oosterwoldhuizen;\n"
    // 9: the row's own surname in the sex column, without any shift.
    "100000009;Ina;Zwanenburgh-Qvist;dutch;Zwanenburgh-Qvist;04-04-1972;Arbeidsuitbuiting;Dorpsstraat 4;NL;;\n"
    // 10: the row's address (marked identifying, not mapped) in the exploitation form column.
    "100000010;Jan;Bos;dutch;Man;05-05-1973;Kievitslaan 88-III;Kievitslaan 88-III;NL;;\n";

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "where: value" for every planted value found in `haystack`, as written or lower-cased, also
// when `haystack` itself is lower-cased first (a case-insensitive search).
std::vector<std::string> planted_in(const std::string& haystack, const std::string& where) {
  std::vector<std::string> hits;
  const std::string folded = lower(haystack);
  for (const std::string_view value : kPlanted) {
    if (haystack.find(value) != std::string::npos || folded.find(lower(value)) != std::string::npos) {
      hits.push_back(where + ": " + std::string(value));
    }
  }
  return hits;
}

std::string bytes_of(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// Every regular file under `folder`, by path.
std::vector<std::pair<std::string, std::string>> files_under(const std::filesystem::path& folder) {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (entry.is_regular_file()) files.emplace_back(entry.path().string(), bytes_of(entry.path()));
  }
  return files;
}

std::string cookie_value(const httplib::Result& res, const std::string& name) {
  for (const auto& [key, value] : res->headers) {
    if (key == "Set-Cookie" && value.starts_with(name + "="))
      return value.substr(name.size() + 1, value.find(';') - name.size() - 1);
  }
  return "";
}

// Signs `name` in and fetches `path` with the session.
std::string fetch_signed_in(int port, const std::string& name, const std::string& password, const std::string& path) {
  httplib::Client client("127.0.0.1", port);
  const auto form = client.Get("/aanmelden");
  const std::string csrf = cookie_value(form, "rapporteur_csrf");
  const auto signed_in =
      client.Post("/aanmelden", {{"Cookie", "rapporteur_csrf=" + csrf}},
                  httplib::Params{{"csrf", csrf}, {"name", name}, {"password", password}, {"terug", "/staff"}});
  const std::string session = cookie_value(signed_in, "rapporteur_session");
  const auto page = client.Get(path, {{"Cookie", "rapporteur_session=" + session}});
  return page && page->status == 200 ? page->body : "";
}

TEST(QuarantineLeak, NoPlantedValueReachesTheInstanceTheCliTheLogsOrTheWeb) {
  TempDir instance;
  TempDir input;  // The extract and its profile: the source's files, not the instance's.
  std::filesystem::create_directories(input / "profiles");
  std::ofstream(input / "profiles" / "lektest.toml") << kProfile;
  std::ofstream(input / "lektest-2023.csv", std::ios::binary) << kExtract;
  const std::string db = (instance / "r.db").string();
  // One log stream for the whole test: the CLI points spdlog's default logger at it, and the
  // server keeps logging there after the CLI returns.
  std::ostringstream logs;
  const auto cli = [&](std::vector<std::string> args) {
    args.insert(args.begin(),
                {"rapporteur", "--db", db, "--profiles", (input / "profiles").string(), "--log-level", "debug"});
    std::ostringstream out;
    const int status = cli::run(args, out, logs);
    return std::make_pair(status, out.str());
  };
  ASSERT_EQ(cli({"key", "init"}).first, cli::kExitOk) << logs.str();
  // The server's connection stays open throughout, so that the write-ahead log is not
  // checkpointed away when the CLI's connections close.
  auto store = std::move(store::open_sqlite_store(db).value());
  auth::Auth auth(*store);
  ASSERT_TRUE(auth.add_user("rob", store::UserRole::kResearcher, "wachtwoord-rob-123").has_value());

  const auto [load_status, load_out] =
      cli({"intake", "load", (input / "lektest-2023.csv").string(), "--profile", "lektest", "--year", "2023"});
  const auto [errors_status, errors_out] = cli({"intake", "errors", "1"});
  web::ServerOptions options{.host = "127.0.0.1", .port = 0};
  options.auth = &auth;
  web::Server server(*store, options);
  const int port = server.bind().value();
  std::thread serving([&] { (void)server.serve(); });
  const std::string page = fetch_signed_in(port, "rob", "wachtwoord-rob-123", "/staff/batches/1");
  std::vector<std::string> hits;
  for (const auto& [path, bytes] : files_under(instance.path())) {
    for (auto& hit : planted_in(bytes, path)) hits.push_back(std::move(hit));
  }
  const bool wal_seen = std::filesystem::exists(db + "-wal");
  server.stop();
  serving.join();
  store.reset();
  for (const auto& [path, bytes] : files_under(instance.path())) {
    for (auto& hit : planted_in(bytes, path + " (closed)")) hits.push_back(std::move(hit));
  }

  ASSERT_EQ(load_status, cli::kExitOk) << logs.str();
  EXPECT_NE(load_out.find("9 rows read, 1 loaded, 8 quarantined"), std::string::npos) << load_out;
  ASSERT_EQ(errors_status, cli::kExitOk) << logs.str();
  EXPECT_TRUE(wal_seen) << "the scan should have seen the write-ahead log";
  ASSERT_FALSE(page.empty());
  for (const auto& [text, where] : std::vector<std::pair<std::string, std::string>>{
           {load_out, "intake load"}, {errors_out, "intake errors"}, {logs.str(), "logs"}, {page, "batch page"}}) {
    for (auto& hit : planted_in(text, where)) hits.push_back(std::move(hit));
  }
  EXPECT_TRUE(hits.empty()) << ::testing::PrintToString(hits);
  // The errors still say where and why: file, row, column and reason on each line (CSV: a
  // reason with a comma is quoted).
  for (const std::string expected :
       {"lektest-2023.csv,3,Geb.datum,,impossible date: no such day in that month",
        "lektest-2023.csv,4,Verblijf,,\"unknown residence status",
        "lektest-2023.csv,5,Geslacht,,\"unknown label for sex",
        "lektest-2023.csv,6,Nationaliteit,,nationality is not an ISO 3166-1 alpha-2 code",
        "lektest-2023.csv,7,Vorm uitbuiting,Orgaanhandel,\"unknown label for exploitation_form",
        "lektest-2023.csv,8,Geboorteplaats,,unknown municipality name",
        "lektest-2023.csv,9,Geslacht,,\"unknown label for sex",
        "lektest-2023.csv,10,Vorm uitbuiting,,\"unknown label for exploitation_form"}) {
    EXPECT_NE(errors_out.find(expected), std::string::npos) << expected << "\n" << errors_out;
  }
  EXPECT_NE(page.find("Orgaanhandel"), std::string::npos) << "a plain unknown label is still shown";
  EXPECT_NE(errors_out.find("(value withheld)"), std::string::npos) << "says that a value was left out";
  EXPECT_NE(page.find("(value withheld)"), std::string::npos);
}

}  // namespace
}  // namespace rapporteur
