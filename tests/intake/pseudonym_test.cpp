#include "intake/pseudonym.h"

#include <sys/stat.h>

#include <fstream>

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapporteur::intake {
namespace {

using rapporteur::testing::TempDir;

PseudonymKey counting_key() {
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i);
  return PseudonymKey::from_bytes(bytes);
}

// Expected values from Python's hmac and hashlib modules (an independent implementation)
// for the key bytes 0, 1, ..., 31.
TEST(PseudonymKey, HmacMatchesAnIndependentImplementation) {
  const PseudonymKey key = counting_key();

  EXPECT_EQ(key.hmac_hex("id:123456789"), "82f118e40e238841802e1a75ad07a985cfed76460a645b563b193d3bd2368a3d");
  EXPECT_EQ(key.id(), "630dcd2966c43366");
}

TEST(PersonKeys, PreferTheNationalIdAndKeepANameKey) {
  const Identifiers ids{" 123.456.789 ", "Anna", "de Vries", "1990-05-17"};

  const auto keys = person_keys(counting_key(), ids);

  ASSERT_TRUE(keys.has_value());
  EXPECT_EQ(keys->primary, "82f118e40e238841802e1a75ad07a985cfed76460a645b563b193d3bd2368a3d");
  ASSERT_TRUE(keys->name_key.has_value());
  EXPECT_EQ(*keys->name_key, "de61a8645b15e1d2f01968b886ee97b06d663d2f1d8ac2054b58ddbc86ec8a4e");
}

TEST(PersonKeys, FallBackToNormalisedNameAndBirthDate) {
  const auto a = person_keys(counting_key(), {std::nullopt, "ANNA", "De  Vries", "1990-05-17"});
  const auto b = person_keys(counting_key(), {"", "anna", "devries", "1990-05-17"});

  ASSERT_TRUE(a.has_value());
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(a->primary, b->primary);
  EXPECT_EQ(a->primary, "de61a8645b15e1d2f01968b886ee97b06d663d2f1d8ac2054b58ddbc86ec8a4e");
}

TEST(PersonKeys, RefuseWhenThePersonCannotBeIdentified) {
  const auto keys = person_keys(counting_key(), {std::nullopt, "Anna", std::nullopt, "1990-05-17"});

  ASSERT_FALSE(keys.has_value());
  EXPECT_EQ(keys.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(keys.error().message.find("Anna"), std::string::npos) << "never echo identifiers";
}

TEST(NormaliseName, FoldsDiacriticsCaseAndPunctuation) {
  EXPECT_EQ(normalise_name("Van der Berg-Öztürk "), "vanderbergozturk");
  EXPECT_EQ(normalise_name("ZOË"), "zoe");
  EXPECT_EQ(normalise_name("Łukasz Wiśniewski"), "lukaszwisniewski");
  EXPECT_EQ(normalise_name("Şahin Yılmaz"), "sahinyilmaz");
  EXPECT_EQ(normalise_name("Straße"), "strasse");
  EXPECT_EQ(normalise_name("Ĳsselmeer"), "ijsselmeer");
}

TEST(BloomEncode, SimilarNamesScoreHighAndDifferentNamesLow) {
  const PseudonymKey key = counting_key();
  const std::string a = bloom_encode(key, "name", "annadevries");
  const std::string typo = bloom_encode(key, "name", "annadevreis");
  const std::string other = bloom_encode(key, "name", "mohamedbenali");

  EXPECT_EQ(a.size(), static_cast<std::size_t>(kBloomBits / 8));
  EXPECT_EQ(a, bloom_encode(key, "name", "annadevries"));
  EXPECT_DOUBLE_EQ(dice(a, a), 1.0);
  EXPECT_GT(dice(a, typo), 0.75);
  EXPECT_LT(dice(a, other), 0.5);
  EXPECT_TRUE(bloom_encode(key, "name", "").empty());
}

TEST(BloomEncode, DependsOnTheKey) {
  std::array<std::uint8_t, 32> other_bytes{};
  other_bytes[5] = 1;

  EXPECT_NE(bloom_encode(counting_key(), "name", "annadevries"),
            bloom_encode(PseudonymKey::from_bytes(other_bytes), "name", "annadevries"));
}

TEST(KeyFile, IsCreatedPrivateAndNeverOverwritten) {
  TempDir dir;
  const auto path = dir / "keys/pseudonym.key";

  const auto created = PseudonymKey::create_file(path);
  const auto again = PseudonymKey::create_file(path);
  const auto read = PseudonymKey::read_file(path);

  ASSERT_TRUE(created.has_value()) << created.error().message;
  struct stat info {};
  ASSERT_EQ(::stat(path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, ErrorCode::kAlreadyExists);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->id(), created->id());
}

TEST(KeyFile, RefusesAKeyOthersCanRead) {
  TempDir dir;
  const auto path = dir / "pseudonym.key";
  ASSERT_TRUE(PseudonymKey::create_file(path).has_value());
  ::chmod(path.c_str(), 0644);

  const auto read = PseudonymKey::read_file(path);

  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kPermissionDenied);
}

TEST(KeyFile, RefusesAMalformedFile) {
  TempDir dir;
  const auto path = dir / "pseudonym.key";
  {
    std::ofstream file(path);
    file << "not a key\n";
  }
  ::chmod(path.c_str(), 0600);

  const auto read = PseudonymKey::read_file(path);

  ASSERT_FALSE(read.has_value());
  EXPECT_EQ(read.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapporteur::intake
