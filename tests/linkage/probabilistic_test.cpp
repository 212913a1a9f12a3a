#include "linkage/probabilistic.h"

#include <gtest/gtest.h>

#include "intake/comparison.h"
#include "intake/pseudonym.h"
#include "linkage/evaluation.h"
#include "linkage/public_sets.h"
#include "test_support.h"

namespace rapporteur::linkage {
namespace {

const std::string kData = RAPPORTEUR_SHARED_DATA "/linkage/";

// Two-source records with first name, last name and date, encoded as intake does.
class Tiny {
 public:
  Tiny() : records_(RecordSet::create(testing::public_sets_internal::person_fields()).value()) {}

  std::uint32_t add(std::uint32_t source, std::string_view first, std::string_view last, std::string_view date) {
    const auto r = records_.add(source);
    intake::Identifiers ids{.first_name = first, .last_name = last};
    if (!date.empty()) ids.birth_date = date;
    testing::public_sets_internal::set_person(records_, r, encoder_.encode(ids).value());
    return r;
  }
  const RecordSet& records() const { return records_; }

 private:
  intake::PseudonymKey key_ = testing::public_sets_internal::test_key();
  intake::ComparisonEncoder encoder_{key_};
  RecordSet records_;
};

Model flat_model(const RecordSet& records) {
  // m rising with the level, u falling: enough to read levels through explain_pair.
  Model model;
  model.prior = 0.001;
  for (const auto& field : records.fields()) {
    FieldModel f{.name = field.name};
    const auto levels = static_cast<std::size_t>(level_count(field));
    f.m.assign(levels, 0.0);
    f.u.assign(levels, 0.0);
    for (std::size_t l = 1; l < levels; ++l) {
      f.m[l] = static_cast<double>(l) / static_cast<double>(levels * levels);
      f.u[l] = 1.0 / static_cast<double>(l * levels);
    }
    model.fields.push_back(f);
  }
  model.term_frequencies.assign(records.fields().size(), {});
  return model;
}

TEST(Dice, AgreesWithTheIntakeByteDice) {
  // Independent truth: intake::dice counts bits byte by byte on the raw encodings.
  const auto key = testing::public_sets_internal::test_key();
  const std::string a = intake::bloom_encode(key, "t", "jansen");
  const std::string b = intake::bloom_encode(key, "t", "janssen");

  const double words = dice(bloom_from_bytes(a).value(), bloom_from_bytes(b).value());

  EXPECT_DOUBLE_EQ(words, intake::dice(a, b));
  EXPECT_GT(words, 0.7);
  EXPECT_EQ(dice(BloomBits{}, bloom_from_bytes(a).value()), 0.0);
}

TEST(KeyFromHex, ReadsSixteenDigitsAndRejectsOthers) {
  EXPECT_EQ(key_from_hex("00000000000000ff").value(), 255U);
  EXPECT_EQ(key_from_hex("0000000000000000").value(), 1U);  // 0 is reserved for missing.
  EXPECT_EQ(key_from_hex("").value(), 0U);
  EXPECT_FALSE(key_from_hex("12345").has_value());
  EXPECT_FALSE(key_from_hex("zz00000000000000").has_value());
}

TEST(ExplainPair, RecognisesDatePartialAgreementWithoutDates) {
  Tiny t;
  const auto base = t.add(0, "Anna", "Jansen", "1990-04-07");
  const auto swapped = t.add(1, "Anna", "Jansen", "1990-07-04");
  const auto year_off = t.add(1, "Anna", "Jansen", "1991-04-07");
  const auto january = t.add(1, "Anna", "Jansen", "1990-01-01");
  const auto other = t.add(1, "Anna", "Jansen", "1975-11-23");
  const Model model = flat_model(t.records());

  const auto level = [&](std::uint32_t b) { return explain_pair(t.records(), model, base, b)->fields[2].level; };

  EXPECT_EQ(level(base), kDateExact);
  EXPECT_EQ(level(swapped), kDateMonthDaySwap);
  EXPECT_EQ(level(year_off), kDateTwoOfThree);
  EXPECT_EQ(level(january), kDateYearOnly);
  EXPECT_EQ(level(other), kLevelDisagree);
}

TEST(ExplainPair, ComparesSwappedNamesCrossedAndTransliterated) {
  Tiny t;
  const auto a = t.add(0, "Nguyễn", "Thi Lan", "1990-04-07");
  const auto b = t.add(1, "Thi Lan", "Nguyen", "1990-04-07");
  Model model = flat_model(t.records());
  model.name_swap = std::pair<std::size_t, std::size_t>{0, 1};

  const auto explained = explain_pair(t.records(), model, a, b);

  ASSERT_TRUE(explained.has_value());
  const int exact = level_count(t.records().fields()[0]) - 1;
  EXPECT_EQ(explained->fields[0].level, exact);
  EXPECT_EQ(explained->fields[1].level, exact);
}

TEST(ScoreClusters, CountsPairsFromTheContingency) {
  // Truth {0,1,2} {3}; predicted {0,1} {2,3}: TP 1 (0-1), FP 1 (2-3), FN 2 (0-2, 1-2).
  const auto s = score_clusters({0, 0, 1, 1}, {7, 7, 7, 9});

  EXPECT_EQ(s.true_positives, 1);
  EXPECT_EQ(s.false_positives, 1);
  EXPECT_EQ(s.false_negatives, 2);
  EXPECT_DOUBLE_EQ(s.precision, 0.5);
  EXPECT_NEAR(s.recall, 1.0 / 3, 1e-12);
}

TEST(LinkRecords, KeepsAWeakChainFromGluingTwoPeople) {
  // Two sources; a and c are different people, b (source 1) sits between them on names only.
  Tiny t;
  for (int i = 0; i < 60; ++i) {
    const std::string first = "p" + testing::letters(i * 37 + 5);
    const std::string last = "q" + testing::letters(i * 53 + 11);
    const std::string date =
        "19" + std::to_string(50 + i % 40) + "-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 9);
    t.add(0, first, last, date);
    t.add(1, first, last, date);
  }
  const auto a = t.add(2, "Maria", "Jansen", "1980-03-12");
  const auto b = t.add(3, "Maria", "Jansen", "");
  const auto c = t.add(4, "Maria", "Jansen", "1961-10-28");
  LinkOptions options;
  options.blocking = {{"last_name", {{"last_name"}}}, {"first_name", {{"first_name"}}}};

  const auto result = link_records(t.records(), options);

  ASSERT_TRUE(result.has_value());
  EXPECT_NE(result->cluster[a], result->cluster[c]);
  EXPECT_GT(result->rejected_weak_bridges + (result->cluster[b] != result->cluster[a] ? 1 : 0), 0);
  // The 60 true pairs are found.
  EXPECT_EQ(result->cluster[0], result->cluster[1]);
  EXPECT_EQ(result->cluster[118], result->cluster[119]);
}

// 60 people recorded alike by sources 0 and 1: the background EM trains on.
Tiny background() {
  Tiny t;
  for (int i = 0; i < 60; ++i) {
    const std::string first = "p" + testing::letters(i * 37 + 5);
    const std::string last = "q" + testing::letters(i * 53 + 11);
    const std::string date =
        "19" + std::to_string(50 + i % 40) + "-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 9);
    t.add(0, first, last, date);
    t.add(1, first, last, date);
  }
  return t;
}

LinkOptions name_blocking() {
  LinkOptions options;
  options.blocking = {{"last_name", {{"last_name"}}}, {"first_name", {{"first_name"}}}};
  return options;
}

TEST(LinkRecords, AClerksMatchJoinsAndANonMatchSeparates) {
  // x and y are recorded alike (the model links them), z and w share nothing (it never would).
  Tiny t = background();
  const auto x = t.add(2, "Maria", "Jansen", "1980-03-12");
  const auto y = t.add(3, "Maria", "Jansen", "1980-03-12");
  const auto z = t.add(4, "Pieter", "Smit", "1970-01-01");
  const auto w = t.add(5, "Karel", "Bakker", "1955-05-05");
  const auto model_only = link_records(t.records(), name_blocking());
  auto options = name_blocking();
  options.decisions = {{y, x, PairDecision::kNonMatch}, {z, w, PairDecision::kMatch}};

  const auto decided = link_records(t.records(), options);

  ASSERT_TRUE(model_only.has_value());
  ASSERT_TRUE(decided.has_value());
  EXPECT_EQ(model_only->cluster[x], model_only->cluster[y]);
  EXPECT_NE(model_only->cluster[z], model_only->cluster[w]);
  EXPECT_NE(decided->cluster[x], decided->cluster[y]);
  EXPECT_EQ(decided->cluster[z], decided->cluster[w]);
  EXPECT_GE(decided->rejected_non_match, 1);
  EXPECT_EQ(decided->cluster[0], decided->cluster[1]) << "pairs no one decided link as before";
  EXPECT_EQ(decided->links.size() + 1, model_only->links.size()) << "the non-match's direct link is gone";
}

TEST(LinkRecords, NoChainOfLinksJoinsANonMatch) {
  // x, y and z are recorded alike by three sources; the clerk says x and z are two people.
  Tiny t = background();
  const auto x = t.add(2, "Maria", "Jansen", "1980-03-12");
  const auto y = t.add(3, "Maria", "Jansen", "1980-03-12");
  const auto z = t.add(4, "Maria", "Jansen", "1980-03-12");
  auto options = name_blocking();
  options.decisions = {{x, z, PairDecision::kNonMatch}};

  const auto result = link_records(t.records(), options);

  ASSERT_TRUE(result.has_value());
  EXPECT_NE(result->cluster[x], result->cluster[z]);
  EXPECT_TRUE(result->cluster[y] == result->cluster[x] || result->cluster[y] == result->cluster[z]);
}

TEST(LinkRecords, AMatchAcrossANonMatchIsRefusedAndCounted) {
  Tiny t = background();
  const auto x = t.add(2, "Maria", "Jansen", "1980-03-12");
  const auto y = t.add(3, "Anna", "Visser", "1991-07-30");
  const auto z = t.add(4, "Karel", "Bakker", "1955-05-05");
  auto options = name_blocking();
  options.decisions = {{x, y, PairDecision::kMatch}, {y, z, PairDecision::kMatch}, {x, z, PairDecision::kNonMatch}};

  const auto result = link_records(t.records(), options);

  ASSERT_TRUE(result.has_value());
  EXPECT_NE(result->cluster[x], result->cluster[z]);
  EXPECT_EQ(result->refused_matches, 1);
}

TEST(LinkRecords, ListsTheBandsPairsMostUncertainFirst) {
  Tiny t = background();
  t.add(2, "Maria", "Jansen", "1980-03-12");
  t.add(3, "Maria", "Janssen", "1980-12-03");
  t.add(4, "Marja", "Jansen", "");
  auto options = name_blocking();
  options.review_band = ProbabilityBand{.from = 0.0, .to = 1.0};

  const auto result = link_records(t.records(), options);

  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(static_cast<std::int64_t>(result->review.size()), result->candidate_pairs) << "the whole range";
  for (std::size_t i = 1; i < result->review.size(); ++i) {
    EXPECT_LE(std::abs(result->review[i - 1].pair.probability - 0.5),
              std::abs(result->review[i].pair.probability - 0.5));
  }
  for (const auto& p : result->review) {
    EXPECT_NEAR(p.explanation.probability, p.pair.probability, 1e-9);
    EXPECT_EQ(p.explanation.fields.size(), t.records().fields().size());
  }
}

TEST(LinkRecords, RefusesADecisionOnAnUnknownRecordOrABackwardBand) {
  Tiny t = background();
  auto options = name_blocking();
  options.decisions = {{0, 500, PairDecision::kMatch}};
  auto band = name_blocking();
  band.review_band = ProbabilityBand{.from = 0.9, .to = 0.1};

  const auto unknown = link_records(t.records(), options);
  const auto backward = link_records(t.records(), band);

  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kInvalidArgument);
  ASSERT_FALSE(backward.has_value());
  EXPECT_EQ(backward.error().code, ErrorCode::kInvalidArgument);
}

TEST(LinkRecords, RejectsUnknownBlockingFields) {
  Tiny t;
  t.add(0, "Anna", "Jansen", "1990-04-07");
  LinkOptions options;
  options.blocking = {{"postcode", {{"postcode"}}}};

  const auto result = link_records(t.records(), options);

  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
}

TEST(LinkRecords, Febrl4WithoutSocialSecurityIdIsAccurateAndDeterministic) {
  // Truth: FEBRL's rec-N ids (../shared/data/linkage/README.md); the bar from
  // ../shared/reference/linkage.md section 7 is F1 >= 0.995 without soc_sec_id.
  const auto set = testing::load_febrl4(kData + "febrl", testing::WithSocialSecurityId::kNo);

  const auto first = link_records(set.records, set.options);
  const auto second = link_records(set.records, set.options);

  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  const auto score = score_clusters(first->cluster, set.entity);
  EXPECT_GE(score.f1, 0.995);
  EXPECT_GE(score.precision, 0.998);
  EXPECT_EQ(first->cluster, second->cluster);
  EXPECT_EQ(first->blocking.size(), set.options.blocking.size());
  EXPECT_GT(first->blocking[0].pairs, 0);
}

TEST(LinkRecords, RLdata10000BeatsTheRecordlinkageBaselines) {
  // Truth: ent_id. Baselines (../shared/reference/linkage.md section 3): ECM F1 0.354, a
  // "4 of 5 fields agree" rule 0.940.
  const auto set = testing::load_rldata(kData + "rldata/RLdata10000_with_identity.csv");

  const auto result = link_records(set.records, set.options);

  ASSERT_TRUE(result.has_value());
  EXPECT_GE(score_clusters(result->cluster, set.entity).f1, 0.94);
}

}  // namespace
}  // namespace rapporteur::linkage
