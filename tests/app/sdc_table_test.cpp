#include "app/sdc_table.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace rapporteur::app {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir()
      : path_(fs::temp_directory_path() /
              ("sdc_table_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter_++))) {
    fs::create_directories(path_);
  }
  ~TempDir() { fs::remove_all(path_); }
  fs::path write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name) << text;
    return path_ / name;
  }
  const fs::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

const fs::path kPp = RAPPORTEUR_SHARED_DATA "/sdc/tau_pp_freq.json";

// pp.tab's Region hierarchy as tau-ARGUS writes it (.hrc) and as our TOML.
const char* kRegionHrc = "Nr\n@1\n@2\n@3\nOs\n@4\n@5\n@6\n@7\nWs\n@8\n@9\n@10\nZd\n@11\n@12\n99\n";
const char* kRegionToml =
    "total = \"Total\"\n[children]\nTotal = [\"Nr\", \"Os\", \"Ws\", \"Zd\", \"99\"]\nNr = [\"1\", \"2\", \"3\"]\n"
    "Os = [\"4\", \"5\", \"6\", \"7\"]\nWs = [\"8\", \"9\", \"10\"]\nZd = [\"11\", \"12\"]\n";

// The leaf cells of pp.tab, read straight from the shared JSON (the independent truth).
std::string pp_leaves_csv() {
  std::ifstream in(kPp);
  const auto json = nlohmann::json::parse(in);
  const std::set<std::string> size_leaves{"2", "4", "5", "6", "7", "8", "9", "99"};
  const std::set<std::string> region_leaves{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "99"};
  std::string csv = "Size,Region,count\n";
  for (const auto& cell : json["cells"]) {
    const auto s = cell["key"][0].get<std::string>();
    const auto r = cell["key"][1].get<std::string>();
    if (size_leaves.count(s) && region_leaves.count(r))
      csv += s + "," + r + "," + std::to_string(cell["true"].get<long>()) + "\n";
  }
  return csv;
}

std::int64_t value_at(const sdc::Table& t, const std::vector<std::string>& codes) {
  std::vector<int> at;
  for (std::size_t d = 0; d < codes.size(); ++d) {
    const auto& c = t.dimensions[d].codes;
    at.push_back(static_cast<int>(std::find(c.begin(), c.end(), codes[d]) - c.begin()));
  }
  return t.values[t.index(at)];
}

TEST(ReadTable, CellsWithAnHrcOrTomlHierarchyGiveTheMarginsOfTheSharedJson) {
  const TempDir dir;
  const auto cells = dir.write("pp.csv", pp_leaves_csv());
  const auto hrc = dir.write("region.hrc", kRegionHrc);
  const auto toml = dir.write("region.toml", kRegionToml);
  std::ifstream in(kPp);
  const auto json = nlohmann::json::parse(in);

  const auto from_hrc = read_table({.path = cells, .dimensions = {"Size", "Region"}, .hierarchies = {{"Region", hrc}}});
  const auto from_toml =
      read_table({.path = cells, .dimensions = {"Size", "Region"}, .hierarchies = {{"Region", toml}}});

  ASSERT_TRUE(from_hrc.has_value()) << from_hrc.error().message;
  ASSERT_TRUE(from_toml.has_value()) << from_toml.error().message;
  std::size_t compared = 0;
  for (const auto& cell : json["cells"]) {
    const std::vector<std::string> key{cell["key"][0].get<std::string>(), cell["key"][1].get<std::string>()};
    EXPECT_EQ(value_at(from_hrc->table, key), cell["true"].get<std::int64_t>()) << key[0] << "," << key[1];
    EXPECT_EQ(value_at(from_toml->table, key), cell["true"].get<std::int64_t>()) << key[0] << "," << key[1];
    ++compared;
  }
  EXPECT_EQ(compared, 162u);
}

TEST(ReadTable, MicrodataAreCountedPerCombination) {
  const TempDir dir;
  // Units drawn at random; the expected counts are tallied here, apart from the reader.
  std::mt19937 rng(7);
  std::map<std::pair<std::string, std::string>, std::int64_t> truth;
  std::string csv = "id_hidden,sex,age\n";
  for (int u = 0; u < 400; ++u) {
    const std::string sex = rng() % 2 ? "F" : "M";
    const std::string age = "a" + std::to_string(rng() % 4);
    ++truth[{sex, age}];
    csv += "x," + sex + "," + age + "\n";
  }
  const auto file = dir.write("units.csv", csv);

  const auto t = read_table({.format = TableFormat::kMicrodata, .path = file, .dimensions = {"sex", "age"}});

  ASSERT_TRUE(t.has_value()) << t.error().message;
  for (const auto& [key, n] : truth) EXPECT_EQ(value_at(t->table, {key.first, key.second}), n);
  EXPECT_EQ(value_at(t->table, {"Total", "Total"}), 400);
}

TEST(ReadTable, BadRowsAreNamedByFileRowFieldAndReason) {
  const TempDir dir;
  const auto file = dir.write("bad.csv", "sex,age,count\nF,a1,3\nM,a1,x3\nQ,a1,2\nF,a1,4\nF,Total,99\n");

  const auto sex = dir.write("sex.toml", "total = \"Total\"\n[children]\nTotal = [\"F\", \"M\"]\n");

  const auto t = read_table({.path = file, .dimensions = {"sex", "age"}, .hierarchies = {{"sex", sex}}});

  ASSERT_FALSE(t.has_value());
  const auto& m = t.error().message;
  EXPECT_NE(m.find("bad.csv row 3, field 'count': 'x3' is not a whole non-negative count"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.csv row 4, field 'sex': code 'Q'"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.csv row 5: the cell is given twice (first at bad.csv row 2)"), std::string::npos) << m;
  EXPECT_NE(m.find("bad.csv row 6: the margin is 99 but its parts sum to 3"), std::string::npos) << m;
}

TEST(ReadTable, RefusesAnHrcThatSkipsALevel) {
  const TempDir dir;
  const auto hrc = dir.write("r.hrc", "A\n@@a1\n");

  const auto d = read_hierarchy("r", hrc, "Total");

  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message.find("r.hrc row 2"), std::string::npos) << d.error().message;
}

TEST(ProtectTable, PpTabFromCellsPassesItsAuditAndThePatternShowsEverySuppressionAsX) {
  const TempDir dir;
  const auto cells = dir.write("pp.csv", pp_leaves_csv());
  const auto hrc = dir.write("region.hrc", kRegionHrc);
  const sdc::Rule rule{.min_frequency = 4, .zeros = sdc::ZeroCells::kSafe, .protection_percent = 30, .min_level = 1};

  const auto r =
      protect_table({{.path = cells, .dimensions = {"Size", "Region"}, .hierarchies = {{"Region", hrc}}}, rule, {}});

  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_TRUE(r->audit.passed());
  const auto suppressed = std::count_if(r->status.begin(), r->status.end(), [](sdc::Status s) {
    return s == sdc::Status::kPrimary || s == sdc::Status::kSecondary;
  });
  const auto csv = to_pattern_csv(r->table, r->status);
  EXPECT_EQ(std::count(csv.begin(), csv.end(), 'x'), suppressed);
  const auto published = nlohmann::json::parse(to_pattern_json(r->table, r->status, rule));
  std::int64_t nulls = 0;
  for (const auto& c : published["cells"]) {
    nulls += c["published"].is_null() ? 1 : 0;
    EXPECT_FALSE(c.contains("true"));
  }
  EXPECT_EQ(nulls, suppressed);
  // Every primary (1..3 units) is hidden.
  for (std::size_t i = 0; i < r->table.values.size(); ++i) {
    if (r->table.values[i] >= 1 && r->table.values[i] <= 3) {
      EXPECT_EQ(r->status[i], sdc::Status::kPrimary);
    }
  }
}

}  // namespace
}  // namespace rapporteur::app
