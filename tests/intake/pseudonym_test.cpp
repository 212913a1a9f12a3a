#include "intake/pseudonym.h"

#include <sys/stat.h>

#include <fstream>

#include <fmt/format.h>
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

// Expected bytes from an independent implementation in Python (hmac, hashlib): subkeys
// HMAC-SHA256(HMAC-SHA256(key, "bloom-sha1:" + field), "") and likewise for MD5; for each
// bigram of " " + text + " ", h1 and h2 are the first eight bytes (little-endian) of its
// HMAC-SHA1 and HMAC-MD5, and bit ((h1 + k h2) mod 2^64) mod 1000 is set for k = 0..19, as
// bit p % 8 of byte p / 8. Stored encodings of earlier loads must stay comparable.
TEST(BloomEncode, MatchesAnIndependentImplementationBitForBit) {
  const auto hex = [](const std::string& bytes) {
    std::string out;
    for (const unsigned char c : bytes) out += fmt::format("{:02x}", c);
    return out;
  };
  BloomEncoder name(counting_key(), "name");

  EXPECT_EQ(
      hex(name.encode("annadevries")),
      "421827c45a4a09279418420818081012000c0829200810b010180400011a0184a908840010ca41000109201001980801010943802588"
      "020d520819c0040a022210891010051900105088210904000150900010940460788900109000000a00019100414244891080152120"
      "480909001481c0219800100900000c099410");
  EXPECT_EQ(
      hex(bloom_encode(counting_key(), "birth", "1990-05-17")),
      "011008082000040e0a0e00854a0810080828a000605c2108a0020400802a00052a28120308282c4102000f2028b0888800c844188000"
      "0005002300e20d80100044082000a08a20002a108a040a004e2420e80600120009844ce1080200480228800018480000a00008009a"
      "4e000602120020024140c4a8a0aa006000a4");
  EXPECT_EQ(hex(name.encode("annadevries")), hex(bloom_encode(counting_key(), "name", "annadevries")))
      << "a second encoding by the same encoder (from its cache) is the same";
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

// A key file with one layer (bytes 32..63) after the counting key; expected values from
// Python's hmac and hashlib (HMAC-SHA256(layer, "rotate:" + value), SHA-256(base || layer)).
PseudonymKey layered_key(const TempDir& dir) {
  const auto path = dir / "layered.key";
  {
    std::ofstream file(path);
    file << "rapporteur-pseudonym-key v1\n000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f\n"
         << "layer 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f\n";
  }
  ::chmod(path.c_str(), 0600);
  auto key = PseudonymKey::read_file(path);
  EXPECT_TRUE(key.has_value()) << key.error().message;
  return *key;
}

TEST(KeyLayers, RekeyHexValuesAsAnIndependentImplementationDoes) {
  TempDir dir;
  const PseudonymKey key = layered_key(dir);
  std::string person = counting_key().hmac_hex("id:123456789");
  std::optional<std::string> name_key = person;
  std::string name_bloom;
  std::string birth_bloom;
  ComparisonKeys comparison;
  comparison.national_id_key = person.substr(0, 16);
  comparison.birth_day_key = person.substr(0, 16);

  const auto applied = key.apply_layers(0, person, name_key, name_bloom, birth_bloom, comparison);

  ASSERT_TRUE(applied.has_value()) << applied.error().message;
  EXPECT_EQ(key.layer_count(), 1u);
  EXPECT_EQ(key.id(), "fdeab9acf3710362");
  EXPECT_EQ(person, "a47159de5077c7094b8175126a960df55b0ccd753cf66e5d0fd2614756236961");
  EXPECT_EQ(name_key, person);
  EXPECT_EQ(comparison.national_id_key, "5ed417b17891d828");
  EXPECT_EQ(comparison.birth_day_key, comparison.national_id_key) << "equal values stay equal across fields";
  EXPECT_TRUE(name_bloom.empty());
  EXPECT_TRUE(comparison.first_name_key.empty()) << "a missing value stays missing";
}

TEST(KeyLayers, KeepEveryDiceCoefficientAndMoveTheBits) {
  TempDir dir;
  const PseudonymKey base = counting_key();
  const PseudonymKey key = layered_key(dir);
  const std::vector<std::string> names = {"jansen", "janssen", "jansens", "devries", "vries", "pietersen", "a"};
  std::vector<std::string> before;
  std::vector<std::string> after;
  for (const auto& name : names) {
    before.push_back(bloom_encode(base, "name", name));
    std::string person = base.hmac_hex(name);
    std::optional<std::string> no_name_key;
    std::string bloom = before.back();
    std::string birth;
    ComparisonKeys comparison;
    comparison.first_name_bloom = before.back();
    ASSERT_TRUE(key.apply_layers(0, person, no_name_key, bloom, birth, comparison).has_value());
    EXPECT_EQ(bloom, comparison.first_name_bloom) << "one permutation for every filter (names compare crossed)";
    after.push_back(bloom);
  }

  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_NE(after[i], before[i]) << names[i];
    EXPECT_EQ(after[i].size(), before[i].size());
    for (std::size_t j = 0; j < names.size(); ++j) {
      EXPECT_EQ(dice(after[i], after[j]), dice(before[i], before[j])) << names[i] << " " << names[j];
    }
  }
}

TEST(KeyLayers, RefuseAValueOfAnUnexpectedForm) {
  TempDir dir;
  const PseudonymKey key = layered_key(dir);
  std::string person = "p1";
  std::optional<std::string> name_key;
  std::string bloom;
  std::string birth;
  ComparisonKeys comparison;

  const auto applied = key.apply_layers(0, person, name_key, bloom, birth, comparison);

  ASSERT_FALSE(applied.has_value());
  EXPECT_EQ(applied.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(applied.error().message.find("person_key"), std::string::npos);
}

TEST(KeyLayers, AFileWithANewLayerReadsBackAsTheSameKey) {
  TempDir dir;
  const auto created = PseudonymKey::create_file(dir / "pseudonym.key");
  ASSERT_TRUE(created.has_value());
  const auto rotated = created->with_new_layer();
  ASSERT_TRUE(rotated.has_value());

  ASSERT_TRUE(rotated->write_file(dir / "rotated.key").has_value());
  const auto read = PseudonymKey::read_file(dir / "rotated.key");

  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->layer_count(), 1u);
  EXPECT_EQ(read->id(), rotated->id());
  EXPECT_NE(read->id(), created->id());
  struct stat info {};
  ASSERT_EQ(::stat((dir / "rotated.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
}

}  // namespace
}  // namespace rapporteur::intake
