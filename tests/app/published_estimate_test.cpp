// Publishing an estimate: the record's figures against the two-list estimate worked out by
// hand (Lincoln-Petersen and its log-normal interval), its place in the release beside the
// tables, replacement by id, the audit record, and the warnings' codes.
#include "app/published_estimate.h"

#include <cmath>
#include <fstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/publish.h"
#include "app/warnings.h"
#include "store/store.h"
#include "tables/release.h"
#include "test_support.h"

namespace rapporteur::app {
namespace {

using rapporteur::testing::TempDir;

// Two lists: 6,000 seen only by A, 4,000 only by B, 2,000 by both.
constexpr const char* kTwoLists = "A,B,count\n1,0,6000\n0,1,4000\n1,1,2000\n";

// The independence model of two lists by hand: the unobserved count is n10 n01 / n11 (so the
// total is Lincoln-Petersen's n1 n2 / m = 8,000 x 6,000 / 2,000 = 24,000), log of it has
// variance 1/n10 + 1/n01 + 1/n11, and the log-normal interval is n + exp(log f0 +- z se).
struct HandEstimate {
  double total = 24000;
  double low = 0;
  double high = 0;
};
HandEstimate by_hand() {
  const double f0 = 6000.0 * 4000.0 / 2000.0;
  const double se = std::sqrt(1 / 6000.0 + 1 / 4000.0 + 1 / 2000.0);
  const double z = 1.959963984540054;
  return {12000 + f0, 12000 + f0 * std::exp(-z * se), 12000 + f0 * std::exp(z * se)};
}

class PublishedEstimateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    std::ofstream(dir_ / "two.csv") << kTwoLists;
  }
  PublishEstimateRequest request(int year) {
    PublishEstimateRequest r;
    r.estimate.table_file = (dir_ / "two.csv").string();
    r.estimate.year = year;
    r.estimate.selection.sensitivity = mse::Sensitivity::kSkip;
    r.folder = dir_ / "published";
    r.date = "2026-12-06";
    r.actor = "rob";
    return r;
  }
  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(PublishedEstimateTest, TheRecordHoldsTheHandComputedEstimateAndItsProvenance) {
  const HandEstimate hand = by_hand();

  const auto published = publish_estimate(*store_, request(2022));

  ASSERT_TRUE(published.has_value()) << published.error().message;
  EXPECT_EQ(published->id, "human-trafficking-2022");
  EXPECT_NEAR(published->national.total, hand.total, 0.5);
  EXPECT_NEAR(published->national.low, hand.low, 0.5);
  EXPECT_NEAR(published->national.high, hand.high, 0.5);
  EXPECT_EQ(published->national.registered, 12000);
  EXPECT_FALSE(published->national.high_open);
  EXPECT_EQ(published->method, "recommended");
  ASSERT_EQ(published->models.size(), 1u);
  EXPECT_EQ(published->models[0].terms, "independence");
  EXPECT_DOUBLE_EQ(published->models[0].weight, 1.0);
  EXPECT_EQ(published->provenance.table_file, "two.csv");
  EXPECT_EQ(published->provenance.table_file_sha256.size(), 64u);
  EXPECT_EQ(published->published_on, "2026-12-06");
  EXPECT_EQ(published->published_by, "rob");
  EXPECT_FALSE(published->software_version.empty());
  const auto served = published_estimates(*store_);
  ASSERT_TRUE(served.has_value()) << served.error().message;
  ASSERT_EQ(served->size(), 1u);
  EXPECT_NEAR(served->front().national.high, hand.high, 0.5);
  EXPECT_EQ(served->front().provenance.table_file_sha256, published->provenance.table_file_sha256);
  EXPECT_EQ(served->front().published_by, "");  // The account name stays in the audit log.
  EXPECT_EQ(to_json(served->front()).find("rob"), std::string::npos);
  const auto log = store_->audit_log(10).value();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.front().action, "publish_estimate");
  EXPECT_EQ(log.front().user_name, "rob");
  EXPECT_NE(log.front().detail.find("release " + published->release + ": estimate human-trafficking-2022"),
            std::string::npos)
      << log.front().detail;
}

// The record read back from its JSON is the record: written again it gives the same document
// (a field the reader dropped or misread would show), and a damaged document is refused.
TEST_F(PublishedEstimateTest, TheRecordReadBackFromItsJsonIsTheSameRecord) {
  const auto published = publish_estimate(*store_, request(2022));
  ASSERT_TRUE(published.has_value()) << published.error().message;

  const std::string written = to_json(*published);
  const auto back = published_estimate_from_json(written);
  const auto broken = published_estimate_from_json(written.substr(0, written.size() / 2));
  const auto not_a_record = published_estimate_from_json("{\"id\": 7}");

  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(to_json(*back), written);
  EXPECT_EQ(back->id, "human-trafficking-2022");
  EXPECT_DOUBLE_EQ(back->national.total, published->national.total);
  EXPECT_EQ(back->models.size(), published->models.size());
  EXPECT_FALSE(broken.has_value());
  EXPECT_FALSE(not_a_record.has_value());
}

TEST_F(PublishedEstimateTest, ASecondEstimateKeepsTheFirstAndTheTablesAndRepublishingReplacesById) {
  const auto folder = dir_ / "published";
  tables::ReleaseTable table{"t", "a\n1\n", "{\"name\":\"t\"}", [](const std::filesystem::path& path) -> Result<void> {
                               std::ofstream(path) << "xlsx";
                               return ok();
                             }};
  ASSERT_TRUE(tables::publish_release(*store_, {table}).has_value());

  ASSERT_TRUE(publish_estimate(*store_, request(2022)).has_value());
  ASSERT_TRUE(publish_estimate(*store_, request(2023)).has_value());
  auto again = request(2022);
  again.estimate.selection.criterion = mse::Criterion::kAic;
  ASSERT_TRUE(publish_estimate(*store_, again).has_value());
  ASSERT_TRUE(tables::publish_release(*store_, {table}).has_value());  // A later table publication.

  const auto served = published_estimates(*store_).value();
  ASSERT_EQ(served.size(), 2u);
  EXPECT_EQ(served[0].year, 2023);  // Newest year first.
  EXPECT_EQ(served[1].year, 2022);
  EXPECT_EQ(served[1].criterion, "aic");
  const auto release = tables::served(*store_).value();
  EXPECT_EQ(tables::read_file(*store_, release, "t.csv").value(), std::optional<std::string>("a\n1\n"));
  // The published folder's copy follows the store's served release.
  EXPECT_EQ(mirror_published_folder(*store_, folder), "");
  EXPECT_EQ(tables::served_release(folder), release.id);
  std::ifstream kept(tables::served_folder(folder) / "t.csv");
  std::string line;
  std::getline(kept, line);
  EXPECT_EQ(line, "a");
  const auto manifest = nlohmann::json::parse(std::ifstream(tables::served_folder(folder) / "MANIFEST"));
  EXPECT_TRUE(manifest["tables"].contains("t"));
  EXPECT_TRUE(manifest["documents"].contains("ESTIMATES.json"));
}

TEST_F(PublishedEstimateTest, AMethodWithoutAnAnswerIsRefusedAndNothingIsPublished) {
  auto selected = request(2022);
  selected.method = EstimateMethod::kSelected;
  std::ofstream(dir_ / "apart.csv") << "A,B,count\n1,0,10\n0,1,12\n";  // Never overlap: not estimable.
  selected.estimate.table_file = (dir_ / "apart.csv").string();

  const auto published = publish_estimate(*store_, selected);

  ASSERT_FALSE(published.has_value());
  EXPECT_TRUE(published_estimates(*store_).value().empty());
}

TEST_F(PublishedEstimateTest, ABadDateOrDocumentNameIsRefused) {
  auto dated = request(2022);
  dated.date = "6-12-2026";

  const auto published = publish_estimate(*store_, dated);
  const auto lower = tables::publish_release(*store_, {}, {{"estimates.json", "{}"}});

  ASSERT_FALSE(published.has_value());
  EXPECT_EQ(published.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(published.error().message.find("6-12-2026"), std::string::npos);
  ASSERT_FALSE(lower.has_value());
  EXPECT_EQ(lower.error().code, ErrorCode::kInvalidArgument);
}

TEST(CodeWarning, EveryKindOfEstimateWarningGetsItsCodeAndValues) {
  const auto sparse = code_warning("list C saw only 3 people: what it adds rests on very little");
  const auto latent = code_warning(
      "latent class: the chains disagree: their medians of N range from 120 to 180; the posterior may have several "
      "modes");
  const auto disagree = code_warning(
      "the methods disagree by a factor of 1.7: AIC model average gives 3168, latent class (median, credible) gives "
      "5400; no single figure should be reported without the others");
  const auto open = code_warning("the upper profile-likelihood bound lies beyond three times the estimate");
  const auto unknown = code_warning("something new");

  EXPECT_EQ(sparse.code, "sparse_list");
  EXPECT_EQ(sparse.values, (std::vector<std::string>{"C", "3"}));
  EXPECT_EQ(latent.code, "latent_class.chains_disagree");
  EXPECT_EQ(latent.values, (std::vector<std::string>{"120", "180"}));
  EXPECT_EQ(disagree.code, "methods_disagree");
  EXPECT_EQ(disagree.values,
            (std::vector<std::string>{"1.7", "AIC model average", "3168", "latent class (median, credible)", "5400"}));
  EXPECT_EQ(open.code, "profile_upper_open");
  EXPECT_EQ(unknown.code, "other");
  EXPECT_EQ(unknown.text, "something new");
}

}  // namespace
}  // namespace rapporteur::app
