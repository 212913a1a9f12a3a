// Tests of the rapporteur executable as a user runs it: exit statuses, output streams, and the
// server's life cycle under signals.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <httplib.h>
#include <nlohmann/json.hpp>

#include "integration/process.h"
#include "test_support.h"

namespace {

using rapporteur::testing::Process;
using rapporteur::testing::TempDir;

long count_lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(Binary, BadUsageExitsTwoWithOneLineOnStderr) {
  Process process({"frobnicate"});

  const std::string out = process.read_all_stdout();
  const std::string err = process.read_all_stderr();
  const int status = process.wait();

  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 2);
  EXPECT_EQ(count_lines(err), 1) << err;
  EXPECT_TRUE(out.empty());
}

// Creates an instance: only `init` and `demo` create one.
void init(const std::string& db) {
  Process process({"--db", db, "init"});
  ASSERT_EQ(WEXITSTATUS(process.wait()), 0);
}

TEST(Binary, ServesHealthzAndStopsCleanlyOnSigterm) {
  TempDir dir;
  init((dir / "serve.db").string());
  Process process({"--db", (dir / "serve.db").string(), "serve", "--port", "0"});
  const std::string line = process.read_line();
  const auto port_at = line.rfind(':');
  ASSERT_NE(port_at, std::string::npos) << line;
  const int port = std::stoi(line.substr(port_at + 1));
  httplib::Client client("127.0.0.1", port);

  const auto health = client.Get("/healthz");
  process.signal(SIGTERM);
  const int status = process.wait();
  const std::string err = process.read_all_stderr();

  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(nlohmann::json::parse(health->body)["status"], "ok");
  ASSERT_TRUE(WIFEXITED(status)) << "killed by a signal instead of shutting down";
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_NE(err.find("GET /healthz 200"), std::string::npos) << "one log line per request";
  EXPECT_NE(err.find("server stopped"), std::string::npos);
}

TEST(Binary, StopsCleanlyOnSigint) {
  TempDir dir;
  init((dir / "serve.db").string());
  Process process({"--db", (dir / "serve.db").string(), "serve", "--port", "0"});
  ASSERT_FALSE(process.read_line().empty());

  process.signal(SIGINT);
  const int status = process.wait();

  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

TEST(Binary, ATakenPortIsAOneLineFailure) {
  TempDir dir;
  init((dir / "a.db").string());
  init((dir / "b.db").string());
  Process first({"--db", (dir / "a.db").string(), "serve", "--port", "0"});
  const std::string line = first.read_line();
  const std::string port = line.substr(line.rfind(':') + 1, line.find('/', line.rfind(':')) - line.rfind(':') - 1);

  Process second({"--db", (dir / "b.db").string(), "serve", "--port", port});
  const std::string err = second.read_all_stderr();
  const int status = second.wait();

  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(count_lines(err), 1) << err;
  first.signal(SIGTERM);
  first.wait();
}

TEST(Binary, AMistypedDatabaseIsAnErrorNotANewInstance) {
  TempDir dir;
  const std::string mistyped = (dir / "rapporter.db").string();
  Process process({"--db", mistyped, "kb", "search", "mensenhandel"});
  const std::string err = process.read_all_stderr();
  const int status = process.wait();

  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  EXPECT_EQ(count_lines(err), 1) << err;
  EXPECT_NE(err.find("no instance at"), std::string::npos) << err;
  EXPECT_FALSE(std::filesystem::exists(mistyped));
}

// `linkage export` run as a user runs it on the demo instance: the CSV on standard output and
// in an owner-only file, its counts on standard error. The references are the demo extracts'
// own (each source's style, NLA's every 25th signal without one); a source's file is its part
// of the whole export with the same person ids.
// What `linkage export` says on standard error about its rows.
std::string fmt_count(std::size_t rows, long without) {
  return std::to_string(rows) + " rows, " + std::to_string(without) + " without a record reference";
}

struct ExportRow {
  std::string source;
  std::string record_id;
  long long person_id = 0;
};

std::vector<ExportRow> parse_export(const std::string& csv) {
  std::vector<ExportRow> rows;
  std::istringstream in(csv);
  std::string line;
  std::getline(in, line);
  EXPECT_EQ(line, "source,record_id,person_id");
  while (std::getline(in, line)) {
    // The demo's references hold no comma or quote, so no field is quoted.
    const auto first = line.find(',');
    const auto second = line.find(',', first + 1);
    EXPECT_NE(second, std::string::npos) << line;
    if (second == std::string::npos) continue;
    rows.push_back(
        {line.substr(0, first), line.substr(first + 1, second - first - 1), std::stoll(line.substr(second + 1))});
  }
  return rows;
}

TEST(Binary, LinkageExportListsEveryRecordsReferenceWithItsPersonId) {
  TempDir dir;
  const std::string db = (dir / "demo.db").string();
  const std::string file = (dir / "comensha-2023.csv").string();
  {
    Process demo({"--db", db, "--log-level", "warn", "demo", "--first-year", "2023", "--last-year", "2023"});
    (void)demo.read_all_stdout();
    const std::string err = demo.read_all_stderr();
    ASSERT_EQ(WEXITSTATUS(demo.wait()), 0) << err;
  }

  Process all({"--db", db, "--log-level", "warn", "linkage", "export", "--year", "2023"});
  const std::string csv = all.read_all_stdout();
  const std::string all_err = all.read_all_stderr();
  const int all_status = all.wait();
  Process one({"--db", db, "--log-level", "warn", "linkage", "export", "--year", "2023", "--source", "comensha",
               "--out", file});
  const std::string one_out = one.read_all_stdout();
  const std::string one_err = one.read_all_stderr();
  const int one_status = one.wait();

  ASSERT_EQ(WEXITSTATUS(all_status), 0) << all_err;
  ASSERT_EQ(WEXITSTATUS(one_status), 0) << one_err;
  EXPECT_TRUE(one_out.empty()) << "with --out the CSV goes to the file";
  const auto rows = parse_export(csv);
  ASSERT_GT(rows.size(), 100u);
  const std::map<std::string, std::regex> style = {
      {"comensha", std::regex(R"(CMS-2023-\d{6})")}, {"jeugdbescherming", std::regex(R"(JB-\d{6}/2023)")},
      {"kmar", std::regex(R"(KM2023\d{5})")},        {"nla", std::regex(R"(nla-sig-2023-\d{5})")},
      {"om", std::regex(R"(13/\d{6}-23)")},          {"politie", std::regex(R"(PV-2023-\d{6})")}};
  long without = 0;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const ExportRow& r = rows[i];
    ASSERT_TRUE(style.count(r.source)) << r.source;
    if (r.record_id.empty()) {
      EXPECT_EQ(r.source, "nla") << "only NLA signals lack a reference";
      ++without;
    } else {
      EXPECT_TRUE(std::regex_match(r.record_id, style.at(r.source))) << r.source << " " << r.record_id;
    }
    EXPECT_GT(r.person_id, 0);
    if (i > 0) {
      EXPECT_LE(std::tie(rows[i - 1].source, rows[i - 1].record_id), std::tie(r.source, r.record_id)) << i;
    }
  }
  EXPECT_GT(without, 0);
  EXPECT_NE(all_err.find(fmt_count(rows.size(), without)), std::string::npos) << all_err;
  std::vector<ExportRow> comensha;
  std::copy_if(rows.begin(), rows.end(), std::back_inserter(comensha),
               [](const ExportRow& r) { return r.source == "comensha"; });
  std::ifstream in(file);
  std::stringstream written;
  written << in.rdbuf();
  const auto from_file = parse_export(written.str());
  ASSERT_EQ(from_file.size(), comensha.size());
  for (std::size_t i = 0; i < comensha.size(); ++i) {
    EXPECT_EQ(from_file[i].record_id, comensha[i].record_id);
    EXPECT_EQ(from_file[i].person_id, comensha[i].person_id) << "ids kept from the export before";
  }
  EXPECT_NE(one_err.find(fmt_count(comensha.size(), 0)), std::string::npos) << one_err;
  struct stat info {};
  ASSERT_EQ(stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u) << "record references with person ids are for the owner only";
}

}  // namespace
