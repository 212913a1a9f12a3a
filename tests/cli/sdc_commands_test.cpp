// `rapporteur sdc protect` and `sdc release` on tables from outside the store.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "test_support.h"

namespace rapporteur::cli {
namespace {

using rapporteur::testing::TempDir;
using test_support::run_cli;

const std::string kPp = RAPPORTEUR_SHARED_DATA "/sdc/tau_pp_freq.json";

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(SdcCommand, ProtectsTheSharedJsonAndWritesPatternAuditAndRecord) {
  const TempDir dir;

  const auto r = run_cli({"sdc", "protect", kPp, "--min-frequency", "4", "--zeros", "safe", "--csv",
                          (dir / "p.csv").string(), "--json", (dir / "p.json").string(), "--audit",
                          (dir / "a.json").string(), "--record", (dir / "r.json").string()});

  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("audit passed (0 violations"), std::string::npos) << r.out;
  const auto audit = nlohmann::json::parse(slurp(dir / "a.json"));
  const std::int64_t hidden = audit["primary"].get<std::int64_t>() + audit["secondary"].get<std::int64_t>();
  EXPECT_EQ(audit["primary"], 10);  // The shared file's ten cells with 1..3 units.
  EXPECT_LE(hidden, 20);
  const auto csv = slurp(dir / "p.csv");
  EXPECT_EQ(std::count(csv.begin(), csv.end(), 'x'), hidden);
  const auto published = nlohmann::json::parse(slurp(dir / "p.json"));
  for (const auto& c : published["cells"]) EXPECT_FALSE(c.contains("true"));
  // The record is next year's --edition: it reads back as a table with its statuses.
  const auto next = run_cli({"sdc", "protect", kPp, "--min-frequency", "4", "--zeros", "safe", "--edition",
                             (dir / "r.json").string(), "--csv", (dir / "q.csv").string()});
  ASSERT_EQ(next.status, 0) << next.err;
  EXPECT_NE(next.out.find("protected together with 1 published edition(s); 0 revised"), std::string::npos) << next.out;
}

TEST(SdcCommand, ABadRowFailsNamingFileRowAndField) {
  const TempDir dir;
  std::ofstream(dir / "cells.csv") << "sex,count\nF,4\nM,-2\n";

  const auto r = run_cli({"sdc", "protect", (dir / "cells.csv").string(), "--dimensions", "sex"});

  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("cells.csv row 3, field 'count': '-2' is not a whole non-negative count"), std::string::npos)
      << r.err;
}

TEST(SdcCommand, ReleasesWithDifferentialPrivacyStatingTheBudget) {
  const TempDir dir;
  std::ofstream(dir / "units.csv") << "sex,age\nF,a\nF,b\nM,a\nM,a\nF,a\n";

  const auto r =
      run_cli({"sdc", "release", (dir / "units.csv").string(), "--format", "microdata", "--dimensions", "sex,age",
               "--mechanism", "gaussian", "--rho", "0.25", "--replicates", "10", "--json", (dir / "d.json").string()});

  ASSERT_EQ(r.status, 0) << r.err;
  const auto released = nlohmann::json::parse(slurp(dir / "d.json"));
  EXPECT_EQ(released["privacy"]["rho"], 0.25);
  EXPECT_EQ(released["privacy"]["mechanism"], "discrete_gaussian");
  EXPECT_FALSE(released.contains("seed"));
  EXPECT_EQ(released["cells"].size(), 9u);
  EXPECT_EQ(released["accuracy"].size(), 4u);
}

}  // namespace
}  // namespace rapporteur::cli
