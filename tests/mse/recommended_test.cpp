#include "mse/recommended.h"
#include "mse/published_tables.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

namespace rapporteur::mse {
namespace {

using test_support::read_table;

bool mentions(const std::vector<std::string>& warnings, const std::string& words) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const std::string& w) { return w.find(words) != std::string::npos; });
}

// Korea: the sparse stepwise point estimate is SparseMSE's published 268.78 (Chan, Silverman
// and Vincent 2021, package output in reproduce-2021.md); the latent class posterior lies in
// HRDAG's band; the primary is the AIC average of the exhaustive search.
TEST(EstimateRecommended, GivesTheAicAverageWithStepwiseAndLatentClassBesideIt) {
  const CaptureTable table = read_table("Korea.csv");

  const auto estimate = estimate_recommended(table, {});

  ASSERT_TRUE(estimate.has_value()) << estimate.error().message;
  const auto search = exhaustive_search(table, Criterion::kAic, 1);
  ASSERT_TRUE(search.has_value());
  const auto average = average_models(table, *search, Criterion::kAic);
  ASSERT_TRUE(average.has_value());
  EXPECT_EQ(estimate->primary.method, "AIC model average");
  EXPECT_DOUBLE_EQ(estimate->primary.total, average->total);
  EXPECT_DOUBLE_EQ(estimate->primary.high, average->high);
  ASSERT_EQ(estimate->alternatives.size(), 2U);
  EXPECT_NEAR(estimate->alternatives[0].total, 268.78, 0.01);
  EXPECT_GE(estimate->alternatives[1].total, 133);
  EXPECT_LE(estimate->alternatives[1].total, 142);
  ASSERT_EQ(estimate->latent_class.size(), 1U);
}

TEST(EstimateRecommended, WarnsWhenTheLogLinearAnswersDisagree) {
  const CaptureTable table = read_table("Korea.csv");

  const auto estimate = estimate_recommended(table, {.latent_class_run = LatentClassRun::kSkip});

  ASSERT_TRUE(estimate.has_value());
  EXPECT_EQ(estimate->alternatives.size(), 1U);
  EXPECT_TRUE(estimate->latent_class.empty());
  const double ratio = std::max(estimate->primary.total, estimate->alternatives[0].total) /
                       std::min(estimate->primary.total, estimate->alternatives[0].total);
  EXPECT_GT(ratio, 1.2) << "Korea: AIC average about 167, sparse stepwise 268.78";
  EXPECT_TRUE(mentions(estimate->warnings, "read every interval here as possibly too low"));
}

// The five-list Dutch table (1,024 models; the six-list one takes minutes under the sanitizers).
TEST(EstimateRecommended, PassesOnTheDutchTablesNonConvergenceAndOverlapWarnings) {
  const CaptureTable table = read_table("Ned_5.csv");

  const auto estimate =
      estimate_recommended(table, {.latent_class = {.burn_in = 2000, .samples = 500, .thinning = 20, .seed = 1}});

  ASSERT_TRUE(estimate.has_value()) << estimate.error().message;
  EXPECT_TRUE(mentions(estimate->warnings, "latent class: the chains have not converged"));
  EXPECT_TRUE(mentions(estimate->warnings, "lists K and R never share a person"));
}

// A caller's exhaustive search ranked by BIC serves the average: the same models, reranked.
TEST(EstimateRecommended, ReusesAGivenExhaustiveSearchWithTheSameResult) {
  const CaptureTable table = read_table("Korea.csv");
  const auto by_bic = exhaustive_search(table, Criterion::kBic, 1);
  ASSERT_TRUE(by_bic.has_value());
  RecommendedOptions skip_latent;
  skip_latent.latent_class_run = LatentClassRun::kSkip;
  RecommendedOptions reuse = skip_latent;
  reuse.exhaustive = &*by_bic;

  const auto searched = estimate_recommended(table, skip_latent);
  const auto reused = estimate_recommended(table, reuse);

  ASSERT_TRUE(searched.has_value() && reused.has_value());
  EXPECT_DOUBLE_EQ(reused->primary.total, searched->primary.total);
  EXPECT_DOUBLE_EQ(reused->primary.low, searched->primary.low);
  EXPECT_DOUBLE_EQ(reused->primary.high, searched->primary.high);
  EXPECT_EQ(reused->average.models.size(), searched->average.models.size());
}

}  // namespace
}  // namespace rapporteur::mse
