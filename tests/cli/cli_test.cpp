#include "cli/cli.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "store/store.h"
#include "test_support.h"

namespace rapporteur::cli {
namespace {

using rapporteur::testing::TempDir;

struct Outcome {
  int status = -1;
  std::string out;
  std::string err;
};

Outcome run_cli(std::vector<std::string> args) {
  args.insert(args.begin(), "rapporteur");
  std::ostringstream out;
  std::ostringstream err;
  const int status = run(args, out, err);
  return {status, out.str(), err.str()};
}

long count_lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(Cli, UnknownOptionIsBadUsageOnOneLine) {
  const Outcome outcome = run_cli({"--bogus", "version"});

  EXPECT_EQ(outcome.status, kExitUsage);
  EXPECT_EQ(count_lines(outcome.err), 1);
  EXPECT_NE(outcome.err.find("--bogus"), std::string::npos);
  EXPECT_TRUE(outcome.out.empty());
}

TEST(Cli, MissingCommandIsBadUsage) {
  const Outcome outcome = run_cli({});

  EXPECT_EQ(outcome.status, kExitUsage);
  EXPECT_EQ(count_lines(outcome.err), 1);
}

TEST(Cli, OutOfRangePortIsBadUsage) {
  const Outcome outcome = run_cli({"serve", "--port", "70000"});

  EXPECT_EQ(outcome.status, kExitUsage);
  EXPECT_EQ(count_lines(outcome.err), 1);
}

TEST(Cli, HelpWorksOnEveryCommand) {
  for (const char* command : {"init", "demo", "serve", "version"}) {
    const Outcome outcome = run_cli({command, "--help"});

    EXPECT_EQ(outcome.status, kExitOk) << command;
    EXPECT_NE(outcome.out.find(command), std::string::npos) << command;
  }
  EXPECT_EQ(run_cli({"--help"}).status, kExitOk);
}

TEST(Cli, VersionPrintsTheSchemaVersion) {
  const Outcome outcome = run_cli({"version"});

  EXPECT_EQ(outcome.status, kExitOk);
  EXPECT_NE(outcome.out.find("schema version " + std::to_string(store::latest_schema_version())),
            std::string::npos);
}

TEST(Cli, InitCreatesTheDatabaseAndItsFolder) {
  TempDir dir;
  const auto db = dir / "nested/folder/instance.db";

  const Outcome outcome = run_cli({"--db", db.string(), "init"});

  EXPECT_EQ(outcome.status, kExitOk) << outcome.err;
  EXPECT_TRUE(std::filesystem::exists(db));
}

TEST(Cli, FailureIsOneLineAndExitsOne) {
  TempDir dir;
  const auto not_a_db = dir / "garbage.db";
  {
    std::ofstream file(not_a_db);
    file << std::string(4096, 'x');
  }

  const Outcome outcome = run_cli({"--db", not_a_db.string(), "init"});

  EXPECT_EQ(outcome.status, kExitFailure);
  EXPECT_EQ(count_lines(outcome.err), 1) << outcome.err;
  EXPECT_NE(outcome.err.find("rapporteur: "), std::string::npos);
}

TEST(Cli, DemoLoadsOnceAndIsANoOpTheSecondTime) {
  TempDir dir;
  const auto db = dir / "demo.db";
  const auto truth = dir / "truth.json";

  const Outcome first = run_cli({"--db", db.string(), "demo", "--seed", "5", "--first-year", "2022",
                                 "--last-year", "2022", "--truth", truth.string()});
  const Outcome second = run_cli({"--db", db.string(), "demo", "--seed", "5", "--first-year",
                                  "2022", "--last-year", "2022", "--truth", truth.string()});

  EXPECT_EQ(first.status, kExitOk) << first.err;
  EXPECT_TRUE(std::filesystem::exists(truth));
  EXPECT_EQ(second.status, kExitOk) << second.err;
  EXPECT_NE(second.out.find("already loaded"), std::string::npos);
}

}  // namespace
}  // namespace rapporteur::cli
