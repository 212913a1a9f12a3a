// The map of police units (/kaart), answered in-process: every police unit listed with its
// published value or "niet gepubliceerd", checked against the published table itself.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/store.h"
#include "test_support.h"
#include "web/web.h"

namespace rapporteur::web {
namespace {

using nlohmann::json;
using rapporteur::testing::TempDir;

struct Unit {
  const char* code;
  const char* name;
  std::int64_t population;
};
constexpr Unit kUnits[] = {
    {"RE01", "Noord-Nederland", 1'741'932},  {"RE02", "Oost-Nederland", 3'282'382},
    {"RE03", "Midden-Nederland", 2'066'000}, {"RE04", "Noord-Holland", 1'560'000},
    {"RE05", "Amsterdam", 1'080'000},        {"RE06", "Den Haag", 1'975'000},
    {"RE07", "Rotterdam", 1'778'944},        {"RE08", "Zeeland-West-Brabant", 1'520'000},
    {"RE09", "Oost-Brabant", 1'459'641},     {"RE10", "Limburg", 1'118'302},
};

// A regional table as `rapporteur publish` writes it (year, region, form): ten police units,
// each with one municipality; in 2023 one unit primary suppressed (RE04), one secondary
// (RE09), one with no cell at all (RE10); a name with markup to escape in no unit.
json cell(const std::string& year, const std::string& region, const std::string& form, const json& value,
          const std::string& status) {
  json c = json::object();
  c["key"] = json::array({year, region, form});
  c["value"] = value;
  c["status"] = status;
  return c;
}

json regional_table() {
  json years = json::array({{{"code", "total"}, {"parent", nullptr}, {"label", "alle jaren"}},
                            {{"code", "2022"}, {"parent", "total"}, {"label", "2022"}},
                            {{"code", "2023"}, {"parent", "total"}, {"label", "2023"}}});
  json regions = json::array({{{"code", "NL01"}, {"parent", nullptr}, {"label", "Nederland"}}});
  json forms = json::array({{{"code", "all"}, {"parent", nullptr}, {"label", "alle vormen"}},
                            {{"code", "sexual"}, {"parent", "all"}, {"label", "seksuele uitbuiting"}}});
  json cells = json::array();
  int i = 0;
  for (const Unit& u : kUnits) {
    regions.push_back({{"code", u.code}, {"parent", "NL01"}, {"label", u.name}});
    const std::string gm = "GM09" + std::to_string(10 + i);
    regions.push_back({{"code", gm}, {"parent", u.code}, {"label", std::string("Gemeente ") + u.name}});
    const std::string code = u.code;
    cells.push_back(cell("2022", code, "all", 100 + i, "safe"));
    if (code == "RE04")
      cells.push_back(cell("2023", code, "all", nullptr, "primary"));
    else if (code == "RE09")
      cells.push_back(cell("2023", code, "all", nullptr, "secondary"));
    else if (code != "RE10")
      cells.push_back(cell("2023", code, "all", 1000 + 250 * i, "safe"));
    // A form below the root, which the map must not read.
    cells.push_back(cell("2023", code, "sexual", 7, "safe"));
    cells.push_back(cell("2023", gm, "all", i % 2 == 0 ? json(40) : json(nullptr), i % 2 == 0 ? "safe" : "primary"));
    ++i;
  }
  return {{"name", "victims-region-form"},
          {"title", "Slachtoffers naar gemeente"},
          {"title_en", "Victims by municipality"},
          {"date", "2026-01-02"},
          {"sources", json::array({"politie"})},
          {"footnotes", json::array()},
          {"rule", {{"min_frequency", 10}, {"protection_percent", 30.0}}},
          {"dimensions",
           {{{"name", "year"}, {"codes", years}},
            {{"name", "region"}, {"codes", regions}},
            {{"name", "form"}, {"codes", forms}}}},
          {"cells", cells}};
}

// 12345 -> "12.345": the Dutch thousands separator, written out here rather than taken from
// the web library.
std::string dutch_number(std::int64_t value) {
  std::string digits = std::to_string(value);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) digits.insert(static_cast<std::size_t>(at), ".");
  return digits;
}

class MapTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(*store::open_sqlite_store(dir_ / "r.db"));
    ASSERT_TRUE(store_->put_region({"NL01", "Nederland", RegionLevel::kCountry, std::nullopt}));
    for (const Unit& u : kUnits) {
      ASSERT_TRUE(store_->put_region({u.code, u.name, RegionLevel::kPoliceUnit, std::string("NL01")}));
      ASSERT_TRUE(store_->put_population({u.code, 2023, u.population}));
    }
    std::filesystem::create_directories(dir_ / "published");
    std::ofstream(dir_ / "published" / "victims-region-form.json") << table_.dump();
    server_ = std::make_unique<Server>(
        *store_, ServerOptions{.host = "127.0.0.1", .port = 0, .published_folder = (dir_ / "published").string()});
  }

  TempDir dir_;
  json table_ = regional_table();
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Server> server_;
};

TEST_F(MapTest, ListsEveryPoliceUnitWithItsPublishedValueOrNotPublished) {
  // The expected values straight from the table's cells: the 2023 cell of each unit at the
  // root of the form dimension.
  std::map<std::string, std::optional<std::int64_t>> expected;
  for (const auto& cell : table_["cells"]) {
    if (cell["key"][0] == "2023" && cell["key"][2] == "all" && cell["key"][1].get<std::string>().starts_with("RE")) {
      expected[cell["key"][1]] =
          cell["value"].is_null() ? std::nullopt : std::optional(cell["value"].get<std::int64_t>());
    }
  }

  const LocalResponse res = server_->handle({.target = "/kaart?year=2023&lang=nl"});

  ASSERT_EQ(res.status, 200) << res.body;
  for (const Unit& u : kUnits) {
    const auto row_at = res.body.find(std::string("<tr id=\"u-") + u.code + "\">");
    ASSERT_NE(row_at, std::string::npos) << u.code;
    const std::string row = res.body.substr(row_at, res.body.find("</tr>", row_at) - row_at);
    EXPECT_NE(row.find(std::string("<th scope=\"row\">") + u.name + "</th>"), std::string::npos) << row;
    const auto value = expected.count(u.code) ? expected[u.code] : std::nullopt;
    if (value) {
      char rate[32];
      std::snprintf(rate, sizeof rate, "%.1f",
                    static_cast<double>(*value) * 100000.0 / static_cast<double>(u.population));
      std::string dutch_rate = rate;
      dutch_rate.replace(dutch_rate.find('.'), 1, ",");
      EXPECT_NE(row.find("<td class=\"num\">" + dutch_number(*value) + "</td>"), std::string::npos) << row;
      EXPECT_NE(row.find("<td class=\"num\">" + dutch_rate + "</td>"), std::string::npos) << row;
    } else {
      EXPECT_NE(row.find("niet gepubliceerd"), std::string::npos) << row;
    }
    EXPECT_NE(res.body.find(std::string("data-code=\"") + u.code + "\""), std::string::npos) << "a tile for " << u.code;
  }
  EXPECT_EQ(expected.size(), 9u) << "RE10 has no cell: the test covers a missing cell too";
  EXPECT_NE(res.body.find("5 van de 10 gemeenten"), std::string::npos) << "what is published at the municipal level";
}

TEST_F(MapTest, EnglishPagesUseEnglishWordsAndNumbers) {
  const LocalResponse res = server_->handle({.target = "/kaart?year=2023&lang=en"});

  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("<td class=\"num\">1,000</td>"), std::string::npos) << "RE01 in 2023";
  EXPECT_NE(res.body.find("not published"), std::string::npos);
  EXPECT_EQ(res.body.find("niet gepubliceerd"), std::string::npos);
}

TEST_F(MapTest, AnUnknownYearFallsBackToTheLatest) {
  const LocalResponse res = server_->handle({.target = "/kaart?year=%3Cscript%3E"});

  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("<option value=\"2023\" selected>"), std::string::npos);
  EXPECT_EQ(res.body.find("<script>"), std::string::npos);
}

TEST_F(MapTest, TheFiguresIndexLinksTheMap) {
  const LocalResponse res = server_->handle({.target = "/cijfers?lang=en"});

  ASSERT_EQ(res.status, 200);
  EXPECT_NE(res.body.find("<a href=\"/kaart?lang=en\">Map: victims by police unit</a></p>"), std::string::npos);
}

}  // namespace
}  // namespace rapporteur::web
