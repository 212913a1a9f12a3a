#include "linkage/persons.h"

#include <gtest/gtest.h>

#include "intake/comparison.h"
#include "linkage/evaluation.h"
#include "test_support.h"

namespace rapporteur::linkage {
namespace {

PersonFields fields_of(intake::ComparisonEncoder& encoder, const intake::PseudonymKey& key, std::uint32_t source,
                       const std::string& first, const std::string& last, const std::string& date,
                       const std::string& national_id) {
  intake::Identifiers ids{.first_name = first, .last_name = last};
  if (!date.empty()) ids.birth_date = date;
  PersonFields p{.source = source, .keys = encoder.encode(ids).value(), .sex = "F"};
  if (!national_id.empty()) p.keys.national_id_key = key.hmac_hex("id:" + national_id).substr(0, 16);
  return p;
}

TEST(PersonRecords, LinksThreeSourcesWithOrdinaryErrors) {
  // Truth by construction: person i appears in source 0 clean, in source 1 with a typo in the
  // surname and no national id, and (every other person) in source 2 with names swapped
  // (and, for one in ten, day and month swapped).
  std::array<std::uint8_t, 32> bytes{};
  bytes[3] = 9;
  const auto key = intake::PseudonymKey::from_bytes(bytes);
  intake::ComparisonEncoder encoder(key);
  std::vector<PersonFields> persons;
  std::vector<std::uint64_t> entity;
  for (int i = 0; i < 200; ++i) {
    // Letters of spread-out numbers: names as unlike each other as real ones.
    const std::string first = testing::letters((i * 7919 + 13) % 400'000 + 20'000);
    const std::string last = testing::letters((i * 104'729 + 7) % 9'000'000 + 500'000);
    const int day = 1 + i % 12;
    const int month = 1 + (i * 5) % 12;
    const auto two = [](int v) { return (v < 10 ? "0" : "") + std::to_string(v); };
    const std::string year = std::to_string(1960 + i % 40);
    persons.push_back(
        fields_of(encoder, key, 0, first, last, year + "-" + two(month) + "-" + two(day), std::to_string(100000 + i)));
    entity.push_back(static_cast<std::uint64_t>(i));
    persons.push_back(fields_of(encoder, key, 1, first, last + "e", year + "-" + two(month) + "-" + two(day), ""));
    entity.push_back(static_cast<std::uint64_t>(i));
    if (i % 2 == 0) {
      const std::string date =
          i % 10 == 0 ? year + "-" + two(day) + "-" + two(month) : year + "-" + two(month) + "-" + two(day);
      persons.push_back(fields_of(encoder, key, 2, last, first, date, ""));
      entity.push_back(static_cast<std::uint64_t>(i));
    }
  }
  auto records = person_records(persons);
  ASSERT_TRUE(records.has_value());

  const auto result = link_records(*records, person_link_options());

  ASSERT_TRUE(result.has_value());
  const auto score = score_clusters(result->cluster, entity);
  EXPECT_GE(score.precision, 0.98);
  EXPECT_GE(score.recall, 0.9);
  // 213 measured: 13 of the 20 persons with names and dates both swapped stay split, since
  // EM sees too few day-month swaps among matches to weigh that level.
  // TODO(#16): smooth m of rarely seen agreement levels, then tighten to 200 +- 2%.
  EXPECT_GE(result->clusters, 200);
  EXPECT_LE(result->clusters, 215);
}

TEST(PersonRecords, NamesTheRecordWithABadKey) {
  std::vector<PersonFields> persons(2);
  persons[1].keys.last_name_key = "not-hex-at-all!!";

  const auto records = person_records(persons);

  ASSERT_FALSE(records.has_value());
  EXPECT_NE(records.error().message.find("person record 1"), std::string::npos);
}

// A year with no registrations, or one, reached an integer division by zero when the u
// estimate drew random pairs (SIGFPE in the server's estimate job on an empty instance).
TEST(PersonRecords, NoneOrOneRecordLinksIntoNoneOrOnePerson) {
  for (const std::size_t n : {std::size_t{0}, std::size_t{1}}) {
    const auto records = person_records(std::vector<PersonFields>(n));
    ASSERT_TRUE(records.has_value());

    const auto result = link_records(*records, person_link_options());

    ASSERT_TRUE(result.has_value()) << result.error().message;
    EXPECT_EQ(result->clusters, static_cast<std::int64_t>(n));
  }
}

}  // namespace
}  // namespace rapporteur::linkage
