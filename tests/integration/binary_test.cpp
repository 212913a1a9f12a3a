// Tests of the rapporteur executable as a user runs it: exit statuses, output streams, and the
// server's life cycle under signals.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
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

}  // namespace
