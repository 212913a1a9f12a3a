#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "mse/mse.h"
#include "mse/published_tables.h"

namespace rapporteur::mse {
namespace {

const std::string kData = RAPPORTEUR_SHARED_DATA "/mse/";

using test_support::read_table;

FitResult fit_named(const CaptureTable& table, const std::string& terms) {
  const auto model = parse_model(terms, table.lists);
  EXPECT_TRUE(model.has_value()) << terms;
  const auto result = fit(table, *model);
  EXPECT_TRUE(result.has_value()) << terms << ": " << result.error().message;
  return *result;
}

// Runs one of the Python reference scripts in tests/mse on a table and a model, and returns
// its JSON output. Debian's interpreter has python3-statsmodels; another python3 may come
// first on PATH.
nlohmann::json run_reference(const std::string& script, const std::string& name, const std::string& terms) {
  const std::string command =
      "/usr/bin/python3 '" RAPPORTEUR_SOURCE_DIR "/tests/mse/" + script + "' '" + kData + name + "' '" + terms + "'";
  FILE* pipe = popen(command.c_str(), "r");
  std::string output;
  char buffer[4096];
  while (pipe && fgets(buffer, sizeof buffer, pipe)) output += buffer;
  const int status = pipe ? pclose(pipe) : -1;
  EXPECT_EQ(status, 0) << "needs Debian's python3-statsmodels: " << command;
  return status == 0 ? nlohmann::json::parse(output) : nlohmann::json();
}

// The same fit by statsmodels (Python), an independent implementation.
nlohmann::json statsmodels_fit(const std::string& name, const std::string& terms) {
  return run_reference("statsmodels_fit.py", name, terms);
}

void expect_relative(double actual, double expected, double tolerance, const std::string& what) {
  EXPECT_LE(std::abs(actual - expected), tolerance * std::max(1.0, std::abs(expected)))
      << what << ": " << actual << " vs " << expected;
}

struct Case {
  const char* table;
  const char* terms;
};

class AgreesWithStatsmodels : public ::testing::TestWithParam<Case> {};

TEST_P(AgreesWithStatsmodels, InCoefficientsDevianceAndTotal) {
  const Case c = GetParam();
  const CaptureTable table = read_table(c.table);
  const FitResult ours = fit_named(table, c.terms);
  const nlohmann::json theirs = statsmodels_fit(c.table, c.terms);
  ASSERT_FALSE(theirs.is_null());

  ASSERT_EQ(ours.status, FitStatus::kOk) << ours.message;
  ASSERT_EQ(ours.coefficients.size(), theirs["params"].size());
  for (std::size_t i = 0; i < ours.coefficients.size(); ++i) {
    expect_relative(ours.coefficients[i], theirs["params"][i].get<double>(), 1e-6, ours.coefficient_names[i]);
  }
  expect_relative(ours.deviance, theirs["deviance"].get<double>(), 1e-6, "deviance");
  expect_relative(ours.total, theirs["total"].get<double>(), 1e-6, "total");
}

INSTANTIATE_TEST_SUITE_P(PublishedTables, AgreesWithStatsmodels,
                         ::testing::Values(Case{"Korea.csv", "independence"}, Case{"Korea.csv", "b:c,c:d"},
                                           Case{"Kosovo.csv", "EXH:ABA,ABA:OSCE"}, Case{"UKdat_5.csv", "independence"},
                                           Case{"Western.csv", "A:E"}, Case{"Ned_5.csv", "IO:P,K:P,P:R,P:Z"},
                                           Case{"Australia.csv", "independence"}),
                         [](const ::testing::TestParamInfo<Case>& param_info) {
                           std::string name = std::string(param_info.param.table) + "_" + param_info.param.terms;
                           for (char& c : name) {
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           }
                           return name + "_" + std::to_string(param_info.index);
                         });

TEST(Fit, ReproducesThePublishedKoreaEstimate) {
  // Silverman, Chan and Vincent (2024), Tables 3 and 6: the best BIC model [12,23] on the
  // Palembang lists gives 157 (shared/reference/estimation.md section 4).
  const CaptureTable table = read_table("Korea.csv");

  const FitResult result = fit_named(table, "b:c,c:d");

  EXPECT_EQ(table.observed(), 123);
  EXPECT_EQ(std::lround(result.total), 157);
}

TEST(Fit, MatchesTheArtificialTablesExistencePattern) {
  // Chan, Silverman and Vincent (2021), Table 3: on Artificial_3 any model with AB has no MLE;
  // main effects, AC, BC and AC+BC are estimable (A-C and B-C never overlap: extended MLE).
  const CaptureTable table = read_table("Artificial_3.csv");

  for (const char* terms : {"A:B", "A:B,A:C", "A:B,B:C"}) {
    EXPECT_EQ(fit_named(table, terms).status, FitStatus::kNoMle) << terms;
  }
  for (const char* terms : {"independence", "A:C", "B:C", "A:C,B:C"}) {
    const FitResult result = fit_named(table, terms);
    EXPECT_EQ(result.status, FitStatus::kOk) << terms << ": " << result.message;
    EXPECT_TRUE(std::isfinite(result.total)) << terms;
  }
  const FitResult extended = fit_named(table, "A:C");
  ASSERT_EQ(extended.infinite_interactions.size(), 1u);
  EXPECT_EQ(extended.parameters, 5) << "the infinite term still counts";
}

TEST(Fit, SaysWhenAModelIsNotIdentifiable) {
  // Artificial_3 with all three pairs: A-C and B-C never overlap, their cells go, and five
  // parameters are left for four cells (CSV 2021 Table 3: [12,13,23] not identifiable).
  const CaptureTable table = read_table("Artificial_3.csv");

  const FitResult result = fit_named(table, "A:B,A:C,B:C");

  EXPECT_EQ(result.status, FitStatus::kNotIdentifiable);
  EXPECT_FALSE(result.message.empty());
}

TEST(Fit, DropsTheCellsOfListsThatNeverOverlap) {
  // In Ned_5 the border police (K) and the regional coordinators (R) share nobody: with K:R in
  // the model the extended MLE drops the K-and-R cells and fits one coefficient less.
  const CaptureTable table = read_table("Ned_5.csv");

  const FitResult with = fit_named(table, "K:P,K:R");
  const FitResult without = fit_named(table, "K:P");

  ASSERT_EQ(with.status, FitStatus::kOk) << with.message;
  ASSERT_EQ(with.infinite_interactions.size(), 1u);
  EXPECT_EQ(with.coefficients.size(), without.coefficients.size());
  EXPECT_EQ(with.parameters, without.parameters + 1);
  EXPECT_TRUE(std::isfinite(with.total));
}

TEST(Fit, IndependenceOnTwoListsIsLincolnPetersen) {
  // Two lists: N = n1 * n2 / m (Lincoln-Petersen), hand-computed: 60 * 50 / 20 = 150.
  const auto table = parse_capture_table("A,B,count\n1,0,40\n0,1,30\n1,1,20\n", "lp.csv");
  ASSERT_TRUE(table.has_value());

  const auto result = fit(*table, {});

  ASSERT_TRUE(result.has_value());
  EXPECT_NEAR(result->total, 150.0, 1e-9);
  EXPECT_NEAR(result->unobserved, 40.0 * 30.0 / 20.0, 1e-9);
}

TEST(Fit, TwoListsThatNeverOverlapHaveNoEstimate) {
  const auto table = parse_capture_table("A,B,count\n1,0,40\n0,1,30\n1,1,0\n", "apart.csv");
  ASSERT_TRUE(table.has_value());

  const auto result = fit(*table, {});

  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(result->status, FitStatus::kNoMle);
}

// Silverman, Chan and Vincent (2024) Table 6, exhaustive BIC over two-list models with
// Rcapture's BIC (log of the number observed, infinite terms counted): Kosovo 14342, UKdat_5
// 22991; and Tables 3 and 6 for Korea: best model [12,23], 157.
TEST(ExhaustiveSearch, ReproducesPublishedBicChoices) {
  const struct {
    const char* table;
    long total;
  } cases[] = {{"Korea.csv", 157}, {"Kosovo.csv", 14342}, {"UKdat_5.csv", 22991}};
  for (const auto& c : cases) {
    const auto search = exhaustive_search(read_table(c.table), Criterion::kBic);

    ASSERT_TRUE(search.has_value()) << c.table;
    EXPECT_EQ(std::lround(search->models.front().total), c.total)
        << c.table << ": " << describe(search->models.front().model, read_table(c.table).lists);
  }
  const CaptureTable korea = read_table("Korea.csv");
  EXPECT_EQ(describe(exhaustive_search(korea, Criterion::kBic)->models.front().model, korea.lists), "b:c,c:d");
}

TEST(ExhaustiveSearch, FitsEveryModelAndIgnoresTheThreadCount) {
  const CaptureTable table = read_table("Western.csv");

  const auto one = exhaustive_search(table, Criterion::kAic, 1);
  const auto two = exhaustive_search(table, Criterion::kAic, 2);

  ASSERT_TRUE(one.has_value());
  ASSERT_TRUE(two.has_value());
  EXPECT_EQ(one->models.size(), 1024u);  // 2^(5*4/2).
  for (std::size_t i = 0; i < one->models.size(); ++i) {
    ASSERT_EQ(one->models[i].model, two->models[i].model) << i;
    EXPECT_EQ(one->models[i].total, two->models[i].total) << i;
  }
  for (std::size_t i = 1; i < one->models.size(); ++i) {
    if (one->models[i].status != FitStatus::kOk) break;
    EXPECT_LE(one->models[i - 1].aic, one->models[i].aic);
  }
}

TEST(StepwiseSearch, NeverEndsWorseThanWhereItStarted) {
  for (const char* name : {"Korea.csv", "Western.csv", "UKdat.csv", "NewOrl.csv"}) {
    const CaptureTable table = read_table(name);
    const auto independence = fit(table, {});
    const auto search = stepwise_search(table, Criterion::kBic);

    ASSERT_TRUE(search.has_value()) << name << ": " << search.error().message;
    EXPECT_LE(search->models.front().bic, independence->bic) << name;
    EXPECT_GE(search->path.size(), 2u);
    EXPECT_TRUE(std::isfinite(search->models.front().ci_high)) << name;
    EXPECT_LE(search->models.front().ci_low, search->models.front().total);
    EXPECT_GE(search->models.front().ci_high, search->models.front().total);
  }
}

nlohmann::json python_profile_interval(const std::string& name, const std::string& terms) {
  return run_reference("profile_ci.py", name, terms);
}

// The same closedpCI.t procedure written independently with statsmodels and scipy
// (tests/mse/profile_ci.py); both search N to 1e-4 or better.
TEST(ProfileInterval, AgreesWithAnIndependentImplementation) {
  for (const Case c : {Case{"Korea.csv", "b:c,c:d"}, Case{"Korea.csv", "independence"}, Case{"Western.csv", "A:E"},
                       Case{"UKdat_5.csv", "independence"}}) {
    const CaptureTable table = read_table(c.table);
    const FitResult fitted = fit_named(table, c.terms);

    const auto ours = profile_interval(table, fitted);
    const auto theirs = python_profile_interval(c.table, c.terms);

    ASSERT_TRUE(ours.has_value()) << ours.error().message;
    ASSERT_FALSE(theirs.is_null());
    EXPECT_NEAR(ours->estimate, theirs["estimate"].get<double>(), 2e-3) << c.table << " " << c.terms;
    EXPECT_NEAR(ours->low, theirs["low"].get<double>(), 2e-3) << c.table << " " << c.terms;
    ASSERT_TRUE(ours->high_found);
    EXPECT_NEAR(ours->high, theirs["high"].get<double>(), 2e-3) << c.table << " " << c.terms;
    EXPECT_LT(ours->low, fitted.total);
    EXPECT_GT(ours->high, fitted.total);
  }
}

TEST(ProfileInterval, RefusesAModelThatIsNotEstimable) {
  const CaptureTable table = read_table("Artificial_3.csv");
  const FitResult fitted = fit_named(table, "A:B");

  const auto interval = profile_interval(table, fitted);

  ASSERT_FALSE(interval.has_value());
  EXPECT_EQ(interval.error().code, ErrorCode::kInvalidArgument);
}

// Chan, Silverman and Vincent (2021) and SparseMSE's documented output (estimation.md
// section 4): the sparse stepwise with p < 0.02 selects DE on New Orleans (1184), no term on
// its five-list version (1034), AE on the Western site (2483), and gives 268.78 on Korea.
TEST(SparseStepwiseSearch, ReproducesThePublishedSelections) {
  const struct {
    const char* table;
    const char* model;
    double total;
  } cases[] = {{"NewOrl.csv", "D:E", 1184},
               {"NewOrl_5.csv", "independence", 1034},
               {"Western.csv", "A:E", 2483},
               {"Korea.csv", "b:c", 268.78}};
  for (const auto& c : cases) {
    const CaptureTable table = read_table(c.table);

    const auto search = sparse_stepwise_search(table, 0.02);

    ASSERT_TRUE(search.has_value()) << c.table;
    EXPECT_EQ(describe(search->models.front().model, table.lists), c.model) << c.table;
    EXPECT_NEAR(search->models.front().total, c.total, c.total > 1000 ? 0.5 : 0.01) << c.table;
  }
}

Selection exhaustive_bic() {
  return [](const CaptureTable& t) -> Result<FitResult> {
    auto search = exhaustive_search(t, Criterion::kBic, 1);
    if (!search) return tl::unexpected(search.error());
    return search->models.front();
  };
}

// Silverman, Chan and Vincent (2024), Tables 3 and 6: Korea, exhaustive BIC with
// re-selection in every replicate, BCa over 1,000 replicates: 157 (128, 349). Our replicates
// are other random draws, so the bounds agree to within bootstrap noise.
TEST(Bootstrap, ReproducesThePublishedKoreaBcaInterval) {
  const CaptureTable table = read_table("Korea.csv");
  const FitResult chosen = exhaustive_search(table, Criterion::kBic)->models.front();
  const double estimate = chosen.total;

  const auto result = bootstrap(table, exhaustive_bic(), chosen, {.replicates = 1000, .seed = 1, .threads = 2});

  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->failed + static_cast<int>(result->totals.size()), 1000);
  EXPECT_NEAR(result->bca_low, 128, 8);
  EXPECT_NEAR(result->bca_high, 349, 40);
  EXPECT_LT(result->percentile_low, estimate);
  EXPECT_GT(result->percentile_high, estimate);
}

TEST(Bootstrap, DependsOnTheSeedNotOnTheThreads) {
  const CaptureTable table = read_table("Western.csv");
  const Selection independence = [](const CaptureTable& t) { return fit(t, {}); };
  const FitResult estimate = *fit(table, {});

  const auto one = bootstrap(table, independence, estimate, {.replicates = 200, .seed = 7, .threads = 1});
  const auto two = bootstrap(table, independence, estimate, {.replicates = 200, .seed = 7, .threads = 2});
  const auto other = bootstrap(table, independence, estimate, {.replicates = 200, .seed = 8, .threads = 2});

  ASSERT_TRUE(one.has_value());
  ASSERT_TRUE(two.has_value());
  ASSERT_TRUE(other.has_value());
  EXPECT_EQ(one->totals, two->totals);
  EXPECT_EQ(one->bca_low, two->bca_low);
  EXPECT_NE(one->totals, other->totals);
}

TEST(Bootstrap, CountsReplicatesWithoutAnEstimate) {
  // Two lists with one shared person: many resamples lose the overlap and have no estimate.
  const auto table = parse_capture_table("A,B,count\n1,0,30\n0,1,30\n1,1,1\n", "thin.csv");
  ASSERT_TRUE(table.has_value());
  const Selection independence = [](const CaptureTable& t) { return fit(t, {}); };

  const auto result = bootstrap(*table, independence, *fit(*table, {}), {.replicates = 100, .seed = 3});

  // A resample keeps no shared person with probability (1 - 1/61)^61, about 0.37.
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_GT(result->failed, 20);
  EXPECT_LT(result->failed, 55);
  EXPECT_EQ(result->failed + static_cast<int>(result->totals.size()), 100);
  for (const double v : result->totals) EXPECT_TRUE(std::isfinite(v));
}

double standard_deviation(const std::vector<double>& values) {
  double mean = 0;
  for (const double v : values) mean += v / static_cast<double>(values.size());
  double sum = 0;
  for (const double v : values) sum += (v - mean) * (v - mean);
  return std::sqrt(sum / static_cast<double>(values.size() - 1));
}

// Two lists, 400 and 300 people, 120 on both: Lincoln-Petersen gives N^ = a + b + c + ab/c =
// 1,000 with cells a = 280, b = 180, c = 120, and gradient g = (1 + b/c, 1 + a/c, 1 - ab/c^2) =
// (2.5, 3.33, -2.5). Delta method: Poisson draws of the cells (parametric) give
// Var N^ = sum g_i^2 x_i = 4,500; resampling the n = 580 people seen (multinomial, n fixed)
// gives 4,500 - (sum g_i x_i)^2 / n = 4,500 - 1,000^2 / 580 = 2,775.9.
TEST(Bootstrap, SpreadMatchesTheDeltaMethodForBothMethods) {
  const auto table = parse_capture_table("A,B,count\n1,0,280\n0,1,180\n1,1,120\n", "lp.csv");
  ASSERT_TRUE(table.has_value());
  const Selection independence = [](const CaptureTable& t) { return fit(t, {}); };
  const FitResult chosen = *fit(*table, {});
  ASSERT_NEAR(chosen.total, 1000, 1e-6);

  const auto nonparametric = bootstrap(*table, independence, chosen, {.replicates = 4000, .seed = 11});
  const auto parametric =
      bootstrap(*table, independence, chosen, {.method = BootstrapMethod::kParametric, .replicates = 4000, .seed = 11});

  ASSERT_TRUE(nonparametric.has_value());
  ASSERT_TRUE(parametric.has_value());
  const double multinomial_variance = 4500.0 - 1e6 / 580.0;
  EXPECT_NEAR(standard_deviation(nonparametric->totals), std::sqrt(multinomial_variance),
              0.06 * std::sqrt(multinomial_variance));
  EXPECT_NEAR(standard_deviation(parametric->totals), std::sqrt(4500.0), 0.06 * std::sqrt(4500.0));
  EXPECT_LT(parametric->bca_low, 1000);
  EXPECT_GT(parametric->bca_high, 1000);
  EXPECT_GT(parametric->percentile_high - parametric->percentile_low,
            nonparametric->percentile_high - nonparametric->percentile_low);
}

TEST(Bootstrap, RefusesAModelThatIsNotEstimable) {
  const auto table = parse_capture_table("A,B,count\n1,0,3\n0,1,4\n1,1,5\n", "t.csv");
  FitResult broken = *fit(*table, {});
  broken.status = FitStatus::kNoMle;
  const Selection independence = [](const CaptureTable& t) { return fit(t, {}); };

  EXPECT_FALSE(bootstrap(*table, independence, broken, {.replicates = 20}).has_value());
}

TEST(WithoutEmptyLists, DropsListsThatSawNobodyAndKeepsTheOthersCounts) {
  const auto table = parse_capture_table("A,B,C,count\n1,0,0,5\n0,0,1,7\n1,0,1,2\n", "e.csv");
  ASSERT_TRUE(table.has_value());
  std::vector<std::string> dropped;

  const CaptureTable kept = without_empty_lists(*table, &dropped);

  EXPECT_EQ(dropped, std::vector<std::string>{"B"});
  EXPECT_EQ(kept.lists, (std::vector<std::string>{"A", "C"}));
  EXPECT_EQ(kept.counts, (std::vector<std::int64_t>{0, 5, 7, 2}));
}

StratifiedTable read_stratified(const std::string& name, const std::string& by) {
  std::ifstream file(kData + name);
  std::stringstream text;
  text << file.rdbuf();
  auto table = parse_stratified_table(text.str(), name, by);
  EXPECT_TRUE(table.has_value()) << (table ? "" : table.error().message);
  return table.value_or(StratifiedTable{});
}

// The Dutch team's simulated four-register data with year (Y) and covariates: one model over
// the strata, with stratum-by-list terms, against the same design fitted by statsmodels.
TEST(FitStratified, AgreesWithStatsmodelsOnTheCruyffSimulatedData) {
  struct Stratified {
    std::string by, terms, cross;
  };
  for (const Stratified& c : {Stratified{"Y", "R1:R2", "R1,R3"}, Stratified{"X4", "independence", "none"},
                              Stratified{"X1", "R1:R4,R2:R4", "R2"}}) {
    const StratifiedTable table = read_stratified("Cruyff_simdat.csv", c.by);
    const auto pairs = parse_model(c.terms, table.lists);
    ASSERT_TRUE(pairs.has_value());
    StratifiedModel model{*pairs, {}};
    if (c.cross != "none") {
      for (const auto& list : {c.cross.substr(0, 2), c.cross.size() > 2 ? c.cross.substr(3, 2) : std::string()}) {
        if (!list.empty())
          model.stratum_lists.push_back(
              static_cast<int>(std::find(table.lists.begin(), table.lists.end(), list) - table.lists.begin()));
      }
    }
    const std::string command = "/usr/bin/python3 '" RAPPORTEUR_SOURCE_DIR "/tests/mse/stratified_fit.py' '" + kData +
                                "Cruyff_simdat.csv' " + c.by + " '" + c.terms + "' '" + c.cross + "'";
    FILE* pipe = popen(command.c_str(), "r");
    std::string output;
    char buffer[4096];
    while (pipe && fgets(buffer, sizeof buffer, pipe)) output += buffer;
    ASSERT_EQ(pipe ? pclose(pipe) : -1, 0) << command;
    const auto reference = nlohmann::json::parse(output);

    const auto fitted = fit_stratified(table, model);

    ASSERT_TRUE(fitted.has_value()) << fitted.error().message;
    ASSERT_EQ(fitted->status, FitStatus::kOk) << fitted->message;
    ASSERT_EQ(fitted->coefficients.size(), reference["params"].size()) << c.by;
    for (std::size_t i = 0; i < fitted->coefficients.size(); ++i) {
      expect_relative(fitted->coefficients[i], reference["params"][i].get<double>(), 1e-6,
                      c.by + " " + fitted->coefficient_names[i]);
    }
    expect_relative(fitted->deviance, reference["deviance"].get<double>(), 1e-6, c.by + " deviance");
    expect_relative(fitted->total, reference["total"].get<double>(), 1e-6, c.by + " total");
    for (std::size_t s = 0; s < fitted->unobserved.size(); ++s) {
      expect_relative(fitted->unobserved[s], reference["unobserved"][s].get<double>(), 1e-6,
                      c.by + " stratum " + table.strata[s]);
    }
    EXPECT_LT(fitted->ci_low, fitted->total);
    EXPECT_GT(fitted->ci_high, fitted->total);
  }
}

// With every list's main effect varying by stratum and no shared terms, the joint model is
// the separate independence models side by side: the same unobserved count per stratum.
TEST(FitStratified, WithEveryListVaryingItEqualsSeparateFitsPerStratum) {
  const StratifiedTable table = read_stratified("Cruyff_simdat.csv", "Y");
  const auto joint = fit_stratified(table, {{}, {0, 1, 2, 3}});
  ASSERT_TRUE(joint.has_value());
  ASSERT_EQ(joint->status, FitStatus::kOk);
  for (std::size_t s = 0; s < table.strata.size(); ++s) {
    const auto separate = fit(CaptureTable{table.lists, table.counts[s]}, {});
    ASSERT_TRUE(separate.has_value());
    expect_relative(joint->unobserved[s], separate->unobserved, 1e-8, "stratum " + table.strata[s]);
  }
}

TEST(FitStratified, PairsThatNeverOverlapGoToMinusInfinityAndStillCount) {
  const StratifiedTable table = read_stratified("Cruyff_simdat.csv", "X1");  // R3 and R4: no overlap.
  const auto with = fit_stratified(table, {*parse_model("R1:R2,R3:R4", table.lists), {}});
  const auto without = fit_stratified(table, {*parse_model("R1:R2", table.lists), {}});
  ASSERT_TRUE(with.has_value());
  ASSERT_TRUE(without.has_value());
  ASSERT_EQ(with->status, FitStatus::kOk) << with->message;
  EXPECT_EQ(with->infinite_interactions.size(), 1u);
  EXPECT_EQ(with->parameters, without->parameters + 1);
  EXPECT_TRUE(std::isfinite(with->total));
}

TEST(FitStratified, AListEmptyInOneStratumWithItsOwnTermHasNoEstimate) {
  const auto table = parse_stratified_table("A,B,g,count\n1,0,x,5\n0,1,x,4\n1,1,x,3\n1,0,y,6\n", "g.csv", "g");
  ASSERT_TRUE(table.has_value()) << table.error().message;
  const auto fitted = fit_stratified(*table, {{}, {1}});
  ASSERT_TRUE(fitted.has_value());
  EXPECT_NE(fitted->status, FitStatus::kOk);
  EXPECT_FALSE(parse_stratified_table("A,B,count\n1,0,5\n", "g.csv", "g").has_value());
}

TEST(ParseCaptureTable, SumsOverCovariatesAndNamesBadCells) {
  const auto table = parse_capture_table("A,B,sex,count\n1,0,2,3\n1,0,1,4\n0,1,1,5\n1,1,2,6\n", "cov.csv");
  const auto bad = parse_capture_table("A,B,count\n1,0,3\n0,1,x\n", "bad.csv");
  const auto single = parse_capture_table("A,count\n1,3\n", "one.csv");

  ASSERT_TRUE(table.has_value());
  EXPECT_EQ(table->lists, (std::vector<std::string>{"A", "B"}));
  EXPECT_EQ(table->counts, (std::vector<std::int64_t>{0, 7, 5, 6}));
  ASSERT_FALSE(bad.has_value());
  EXPECT_NE(bad.error().message.find("row 3, column count"), std::string::npos) << bad.error().message;
  ASSERT_FALSE(single.has_value());
  EXPECT_NE(single.error().message.find("at least 2"), std::string::npos);
}

TEST(ParseModel, ReadsPairsAndRejectsUnknownLists) {
  const std::vector<std::string> lists{"P", "K", "R"};

  const auto model = parse_model("R:P, K:P", lists);
  const auto unknown = parse_model("P:X", lists);

  ASSERT_TRUE(model.has_value());
  EXPECT_EQ(describe(*model, lists), "P:K,P:R");
  ASSERT_FALSE(unknown.has_value());
  EXPECT_NE(unknown.error().message.find("P:X"), std::string::npos);
}

}  // namespace
}  // namespace rapporteur::mse
