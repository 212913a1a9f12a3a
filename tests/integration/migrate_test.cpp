// `rapporteur migrate` of the demo instance to PostgreSQL and back (issue #18): the tables and
// the estimate come out the same from all three databases. The truth is the SQLite instance's
// own output, computed before any copy. Needs RAPPORTEUR_TEST_POSTGRES_URL; skips without.
// Also `backup` and `restore`, on SQLite.
#include <algorithm>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "integration/process.h"
#include "store/store_backends.h"
#include "test_support.h"

namespace {

using rapporteur::store::testing::PostgresSchema;
using rapporteur::testing::Process;
using rapporteur::testing::TempDir;

// Runs the binary; returns its standard output, failing the test on a non-zero exit.
std::string run(const std::vector<std::string>& args) {
  Process process(args);
  const std::string out = process.read_all_stdout();
  const std::string err = process.read_all_stderr();
  const int status = process.wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << args.back() << ": " << err;
  return out;
}

// What a researcher reads from an instance: two tables and the 2023 estimate (deterministic
// linkage, so the figures do not depend on a random start).
std::vector<std::string> outputs(const std::string& db, const std::string& files) {
  std::vector<std::string> result;
  for (const char* table : {"victims-region-form", "suspects-chain"}) {
    result.push_back(run({"--db", db, "--files", files, "table", "show", table}));
  }
  result.push_back(
      run({"--db", db, "--files", files, "estimate", "--year", "2023", "--linkage", "deterministic", "--json"}));
  return result;
}

// "" when `got` equals `want`; else where they first differ: the line number and both lines
// (the outputs run to megabytes, too long to print whole).
std::string first_difference(const std::string& got, const std::string& want) {
  if (got == want) return "";
  std::size_t line = 1;
  std::size_t start = 0;
  for (std::size_t i = 0; i < std::min(got.size(), want.size()) && got[i] == want[i]; ++i) {
    if (got[i] == '\n') {
      ++line;
      start = i + 1;
    }
  }
  const auto line_of = [&](const std::string& text) {
    const std::size_t end = text.find('\n', start);
    return text.substr(start, end == std::string::npos ? std::string::npos : end - start);
  };
  return "sizes " + std::to_string(got.size()) + " and " + std::to_string(want.size()) + "; first difference on line " +
         std::to_string(line) + ":\n  got:  " + line_of(got) + "\n  want: " + line_of(want);
}

TEST(Migrate, TheDemoInstanceToPostgresqlAndBackGivesTheSameTablesAndEstimate) {
  std::string skip;
  const auto schema = PostgresSchema::create(skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(schema, nullptr);
  TempDir dir;
  const std::string sqlite = (dir / "r.db").string();
  const std::string back = (dir / "back" / "r.db").string();
  run({"--db", sqlite, "demo", "--first-year", "2022", "--last-year", "2023"});
  const auto original = outputs(sqlite, dir.path().string());

  const std::string there = run({"--db", sqlite, "migrate", "--to", schema->url()});
  const auto on_postgresql = outputs(schema->url(), dir.path().string());
  std::filesystem::create_directories(dir / "back");
  run({"--db", schema->url(), "migrate", "--to", back});
  const auto returned = outputs(back, dir.path().string());

  EXPECT_NE(there.find("copied and checked"), std::string::npos) << there;
  ASSERT_EQ(original.size(), 3u);
  EXPECT_FALSE(original[0].empty());
  EXPECT_NE(original[2].find("\"recommended\""), std::string::npos) << original[2].substr(0, 300);
  const char* names[] = {"table victims-region-form", "table suspects-chain", "estimate 2023"};
  for (std::size_t i = 0; i < original.size(); ++i) {
    EXPECT_EQ(first_difference(on_postgresql.at(i), original[i]), "") << names[i] << " on PostgreSQL";
    EXPECT_EQ(first_difference(returned.at(i), original[i]), "") << names[i] << " back on SQLite";
  }
}

// Runs the binary; returns its exit status and standard error.
std::pair<int, std::string> run_failing(const std::vector<std::string>& args) {
  Process process(args);
  (void)process.read_all_stdout();
  const std::string err = process.read_all_stderr();
  const int status = process.wait();
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, err};
}

// backup and restore on SQLite (no server needed): a backup of an instance restores into an
// empty database with the same user; neither overwrites anything.
TEST(Backup, RestoresIntoAnEmptyDatabaseAndOverwritesNothing) {
  TempDir dir;
  const std::string db = (dir / "r.db").string();
  const std::string backup = (dir / "backup.db").string();
  const std::string restored = (dir / "restored" / "r.db").string();
  run({"--db", db, "init"});
  Process add({"--db", db, "user", "add", "anna", "--role", "admin"});
  ASSERT_EQ(WEXITSTATUS(add.wait()), 0);
  std::filesystem::create_directories(dir / "restored");

  const std::string backed_up = run({"--db", db, "backup", "--to", backup});
  const auto again = run_failing({"--db", db, "backup", "--to", backup});
  const std::string restore = run({"--db", restored, "restore", "--from", backup});
  const auto into_data = run_failing({"--db", restored, "restore", "--from", backup});
  const auto missing =
      run_failing({"--db", (dir / "elsewhere.db").string(), "backup", "--to", (dir / "never.db").string()});

  EXPECT_NE(backed_up.find("copied and checked"), std::string::npos) << backed_up;
  EXPECT_NE(restore.find("copied and checked"), std::string::npos) << restore;
  EXPECT_EQ(again.first, 1);
  EXPECT_NE(again.second.find("exists"), std::string::npos) << again.second;
  EXPECT_EQ(into_data.first, 1);
  EXPECT_NE(into_data.second.find("already holds data"), std::string::npos) << into_data.second;
  EXPECT_EQ(missing.first, 1);
  EXPECT_FALSE(std::filesystem::exists(dir / "never.db"));
  // The restored instance has the backed-up account: adding it again is refused.
  const auto duplicate = run_failing({"--db", restored, "user", "add", "anna", "--role", "admin"});
  EXPECT_EQ(duplicate.first, 1);
  EXPECT_NE(duplicate.second.find("exists"), std::string::npos) << duplicate.second;
}

}  // namespace
