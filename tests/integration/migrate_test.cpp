// `rapporteur migrate` of the demo instance to PostgreSQL and back (issue #18): the tables and
// the estimate come out the same from all three databases. The truth is the SQLite instance's
// own output, computed before any copy. Needs RAPPORTEUR_TEST_POSTGRES_URL; skips without.
#include <string>
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
  EXPECT_EQ(on_postgresql, original);
  EXPECT_EQ(returned, original);
}

}  // namespace
