#include "mse/checks.h"

#include <algorithm>

#include <gtest/gtest.h>

namespace rapporteur::mse {
namespace {

bool mentions(const std::vector<std::string>& warnings, const std::string& words) {
  return std::any_of(warnings.begin(), warnings.end(),
                     [&](const std::string& w) { return w.find(words) != std::string::npos; });
}

Result<FitResult> independence(const CaptureTable& table) { return fit(table, Model{}); }

// Patterns by bits (A = 1, B = 2, C = 4).
CaptureTable three_lists() {
  CaptureTable table;
  table.lists = {"A", "B", "C"};
  table.counts = {0, 20, 15, 8, 12, 6, 4, 2};
  return table;
}

// By hand: without C, A saw 36, B 29, both 10; the two-list independence model is
// Lincoln-Petersen, N = 36 x 29 / 10 = 104.4, from 55 people seen. C saw 24, 12 of them alone;
// predicted alone: 24 x (1 - 55 / 104.4) = 11.35632.
TEST(LeaveOneListOut, PredictsTheLeftOutListsUnsharedPeopleAsComputedByHand) {
  const auto checks = leave_one_list_out(three_lists(), independence);

  ASSERT_TRUE(checks.has_value()) << checks.error().message;
  ASSERT_EQ(checks->size(), 3U);
  const LeftOutList& c = checks->at(2);
  EXPECT_EQ(c.list, "C");
  EXPECT_EQ(c.status, "ok");
  EXPECT_EQ(c.saw, 24);
  EXPECT_EQ(c.only_this, 12);
  EXPECT_EQ(c.others_saw, 55);
  EXPECT_NEAR(c.others_total, 104.4, 1e-6);
  EXPECT_NEAR(c.predicted_only_this, 24 * (1 - 55 / 104.4), 1e-6);
}

TEST(LeaveOneListOut, NeedsThreeLists) {
  CaptureTable table;
  table.lists = {"A", "B"};
  table.counts = {0, 5, 5, 5};

  const auto checks = leave_one_list_out(table, independence);

  ASSERT_FALSE(checks.has_value());
  EXPECT_EQ(checks.error().code, ErrorCode::kInvalidArgument);
}

TEST(CompareMethods, WarnsWhenTotalsDifferByMoreThanTheFactorOrIntervalsMiss) {
  const std::vector<MethodEstimate> estimates = {
      {"log-linear", 1000, 900, 1100}, {"latent class", 1600, 1200, 2400}, {"model average", 1200, 1000, 1500}};

  const auto warnings = compare_methods(estimates, 1.5);
  const auto none = compare_methods({estimates[0], estimates[2]}, 1.5);

  EXPECT_TRUE(mentions(warnings, "disagree by a factor of 1.6: log-linear gives 1000, latent class gives 1600"));
  EXPECT_TRUE(
      mentions(warnings, "intervals of log-linear (900 to 1100) and latent class (1200 to 2400) do not overlap"));
  EXPECT_EQ(warnings.size(), 2U);
  EXPECT_TRUE(none.empty());
}

TEST(DataWarnings, NamesSparseListsAndPairsThatNeverOverlap) {
  CaptureTable table = three_lists();
  table.counts[3] = 0;  // A and B never together.
  table.counts[7] = 0;

  const auto warnings = data_warnings(table, 25);  // A saw 26, B 19, C 22.

  EXPECT_TRUE(mentions(warnings, "lists A and B never share a person"));
  EXPECT_TRUE(mentions(warnings, "list B saw only 19 people"));
  EXPECT_TRUE(mentions(warnings, "list C saw only 22 people"));
  EXPECT_FALSE(mentions(warnings, "list A saw"));
}

}  // namespace
}  // namespace rapporteur::mse
