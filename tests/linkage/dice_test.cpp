#include "linkage/dice.h"

#include <gtest/gtest.h>

#include "intake/pseudonym.h"
#include "linkage/public_sets.h"

namespace rapporteur::linkage {
namespace {

// Encodings of names and their near variants, as intake writes them (raw bytes) and as linkage
// reads them.
struct Encoded {
  std::vector<std::string> bytes;
  std::vector<BloomBits> bits;
};

Encoded encode_names() {
  const auto key = testing::public_sets_internal::test_key();
  intake::BloomEncoder encoder(key, "name");
  Encoded out;
  for (const char* name : {"jansen",     "janssen",   "jansens", "de vries", "devries", "vries",
                           "nguyen",     "ngyuen",    "anna",    "ana",      "anne",    "hannah",
                           "okafor",     "okafur",    "mohamed", "muhammad", "a",       "abcdefghijklmnopqrstuvwxyz",
                           "wisniewska", "wisniewski"}) {
    out.bytes.push_back(encoder.encode(name));
    out.bits.push_back(bloom_from_bytes(out.bytes.back()).value());
  }
  out.bytes.emplace_back();  // A missing name.
  out.bits.emplace_back();
  return out;
}

TEST(DiceScan, EveryKernelFindsWhatTheIntakeByteDiceFinds) {
  // Independent truth: intake::dice counts common bits byte by byte on the raw encodings.
  const Encoded names = encode_names();
  BloomArray array;
  for (const auto& b : names.bits) array.push_back(b);

  for (const auto kernel : {DiceKernel::kBest, DiceKernel::kAvx512, DiceKernel::kPopcnt, DiceKernel::kPortable}) {
    for (const double threshold : {0.3, 0.6, 0.75, 0.9, 1.0}) {
      for (std::size_t q = 0; q < names.bits.size(); ++q) {
        std::vector<DiceMatch> matches;
        const auto count = dice_scan(names.bits[q], array, threshold, matches, kernel);

        std::vector<std::uint32_t> expected;
        for (std::size_t i = 0; i < names.bytes.size(); ++i) {
          if (!names.bytes[q].empty() && !names.bytes[i].empty() &&
              intake::dice(names.bytes[q], names.bytes[i]) >= threshold - 1e-12) {
            expected.push_back(static_cast<std::uint32_t>(i));
          }
        }
        std::vector<std::uint32_t> found;
        for (const auto& m : matches) {
          found.push_back(m.filter);
          EXPECT_NEAR(m.dice, intake::dice(names.bytes[q], names.bytes[m.filter]), 1e-12);
        }
        EXPECT_EQ(found, expected) << "query " << q << " threshold " << threshold;
        EXPECT_EQ(count.compared + count.skipped, static_cast<std::int64_t>(array.size()));
      }
    }
  }
}

TEST(DiceScan, LengthBoundSkipsOnlyFiltersThatCannotReachTheThreshold) {
  // "a" sets few bits, the alphabet many: 2 min / sum is far below 0.8, so the bound rules the
  // pair out without counting; a name against itself is always counted.
  const Encoded names = encode_names();
  BloomArray array;
  array.push_back(names.bits[16]);  // "a"
  array.push_back(names.bits[17]);  // the alphabet
  std::vector<DiceMatch> matches;

  const auto count = dice_scan(names.bits[17], array, 0.8, matches);

  EXPECT_EQ(count.skipped, 1);
  EXPECT_EQ(count.compared, 1);
  ASSERT_EQ(matches.size(), 1U);
  EXPECT_EQ(matches[0].filter, 1U);
  EXPECT_DOUBLE_EQ(matches[0].dice, 1.0);
}

TEST(CommonBits, AgreesWithAWordByWordCount) {
  const Encoded names = encode_names();
  for (const auto& a : names.bits) {
    for (const auto& b : names.bits) {
      std::uint32_t expected = 0;
      for (std::size_t w = 0; w < kBloomWords; ++w) {
        for (int bit = 0; bit < 64; ++bit)
          expected += static_cast<std::uint32_t>(((a.words[w] & b.words[w]) >> bit) & 1U);
      }
      EXPECT_EQ(common_bits(a, b), expected);
    }
  }
}

}  // namespace
}  // namespace rapporteur::linkage
