// rapporteur estimate --csv and estimate publish: the CSV quotes model terms and carries the
// text's interval; a published estimate is the one `estimate` computes, with its provenance,
// in the served release and the audit log.
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/published_estimate.h"
#include "cli/cli.h"
#include "run_cli.h"
#include "store/store.h"
#include "test_support.h"

namespace rapporteur::cli {
namespace {

using rapporteur::testing::TempDir;
using test_support::Outcome;
using test_support::run_cli;

const std::string kKorea = RAPPORTEUR_SHARED_DATA "/mse/Korea.csv";

// RFC 4180 fields of one line, written here apart from core's quoting.
std::vector<std::string> csv_fields(const std::string& line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        fields.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else {
      fields.back() += c;
    }
  }
  return fields;
}

TEST(EstimateCommand, CsvQuotesModelTermsAndCarriesTheTextsInterval) {
  const Outcome text = run_cli({"estimate", "--table", kKorea, "--no-sensitivity"});
  const Outcome csv = run_cli({"estimate", "--table", kKorea, "--no-sensitivity", "--csv"});

  ASSERT_EQ(text.status, 0) << text.err;
  ASSERT_EQ(csv.status, 0) << csv.err;
  std::smatch interval;
  ASSERT_TRUE(std::regex_search(text.out, interval, std::regex(R"(95% CI (\d+) to >?(\d+) \(multinomial profile)")))
      << text.out;
  const auto newline = csv.out.find('\n');
  const auto header = csv_fields(csv.out.substr(0, newline));
  const auto row = csv_fields(csv.out.substr(newline + 1, csv.out.find('\n', newline + 1) - newline - 1));
  ASSERT_EQ(row.size(), header.size()) << csv.out;
  EXPECT_EQ(row[1], "b:c,c:d");
  EXPECT_NE(csv.out.find(",\"b:c,c:d\","), std::string::npos) << csv.out;
  EXPECT_EQ(header[5], "ci_low");
  EXPECT_EQ(header[6], "ci_high");
  EXPECT_EQ(std::lround(std::stod(row[5])), std::stol(interval[1]));
  EXPECT_EQ(std::lround(std::stod(row[6])), std::stol(interval[2]));
}

TEST(EstimateCommand, PublishPutsTheEstimateWithItsProvenanceOnThePublicSide) {
  TempDir dir;
  const auto db = (dir / "demo.db").string();
  ASSERT_EQ(run_cli({"--db", db, "demo", "--first-year", "2021", "--last-year", "2021"}).status, 0);
  const Outcome estimate = run_cli({"--db", db, "estimate", "--year", "2021", "--no-sensitivity", "--json"});
  ASSERT_EQ(estimate.status, 0) << estimate.err;
  const auto computed = nlohmann::json::parse(estimate.out);

  const Outcome published = run_cli({"--db", db, "estimate", "publish", "--year", "2021", "--out",
                                     (dir / "published").string(), "--date", "2026-12-01"});

  ASSERT_EQ(published.status, 0) << published.err;
  const auto record = nlohmann::json::parse(published.out);
  EXPECT_EQ(record["id"], "human-trafficking-2021");
  EXPECT_DOUBLE_EQ(record["national"]["total"].get<double>(), computed["recommended"]["total"].get<double>());
  EXPECT_DOUBLE_EQ(record["national"]["low"].get<double>(), computed["recommended"]["low"].get<double>());
  EXPECT_DOUBLE_EQ(record["national"]["high"].get<double>(), computed["recommended"]["high"].get<double>());
  EXPECT_EQ(record["national"]["registered"], computed["observed"]);
  const auto& provenance = record["provenance"];
  ASSERT_FALSE(provenance["batches"].empty());
  for (const auto& batch : provenance["batches"]) EXPECT_EQ(batch["file_sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(provenance["linkage"]["method"], "probabilistic");
  EXPECT_GT(provenance["linkage"]["em_iterations"].get<int>(), 0);
  EXPECT_EQ(provenance["seed"], 1);
  EXPECT_EQ(provenance["published_on"], "2026-12-01");
  EXPECT_EQ(provenance["software_version"], RAPPORTEUR_VERSION_FOR_TEST);
  auto store = store::open_sqlite_store(db);
  ASSERT_TRUE(store.has_value());
  const auto served = app::published_estimates(**store);
  ASSERT_TRUE(served.has_value()) << served.error().message;
  ASSERT_EQ(served->size(), 1u);
  EXPECT_DOUBLE_EQ(served->front().national.total, record["national"]["total"].get<double>());
  // The folder given by --out holds the copy of the served release.
  EXPECT_TRUE(std::filesystem::exists(dir / "published" / "current" / "ESTIMATES.json"));
  const auto log = (*store)->audit_log(5).value();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().action, "publish_estimate");
  EXPECT_NE(log.front().detail.find("estimate human-trafficking-2021"), std::string::npos);
}

TEST(EstimateCommand, PublishNeedsAYear) {
  const Outcome outcome = run_cli({"estimate", "publish"});

  EXPECT_NE(outcome.status, 0);
  EXPECT_NE(outcome.err.find("--year"), std::string::npos) << outcome.err;
}

}  // namespace
}  // namespace rapporteur::cli
