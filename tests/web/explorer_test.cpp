// The table explorer's views without a server: choosing a view from a query string, its
// permalink, the visible grid (hierarchy, opening a level, filters, suppression flags), its CSV,
// and the Dutch and English number and date formats. Expected values are worked out by hand
// from the small table below.
#include "web/internal/explorer.h"

#include <gtest/gtest.h>

#include "web/internal/labels.h"

namespace rapporteur::web::internal {
namespace {

// Year (total, 2022, 2023) by region: the country, two police units, three municipalities
// (Amsterdam both a unit and a municipality, as in the Netherlands) and "unknown".
constexpr const char* kTable = R"({"name": "t", "title": "Slachtoffers naar regio", "title_en": "Victims by region",
  "date": "2026-01-02", "sources": ["politie"], "footnotes": ["x = onderdrukt"],
  "rule": {"min_frequency": 10, "protection_percent": 30.0},
  "dimensions": [
    {"name": "year", "codes": [{"code": "total", "parent": null, "label": "alle jaren"},
      {"code": "2022", "parent": "total", "label": "2022"}, {"code": "2023", "parent": "total", "label": "2023"}]},
    {"name": "region", "codes": [{"code": "NL01", "parent": null, "label": "Nederland"},
      {"code": "RE05", "parent": "NL01", "label": "Amsterdam"},
      {"code": "GM0363", "parent": "RE05", "label": "Amsterdam"},
      {"code": "GM0362", "parent": "RE05", "label": "Amstelveen"},
      {"code": "RE07", "parent": "NL01", "label": "Rotterdam"},
      {"code": "GM0599", "parent": "RE07", "label": "Rotterdam"},
      {"code": "unknown", "parent": "NL01", "label": "gemeente onbekend"}]}],
  "cells": [
    {"key": ["total", "NL01"], "value": 2500, "status": "safe"},
    {"key": ["2022", "NL01"], "value": 1200, "status": "safe"},
    {"key": ["2023", "NL01"], "value": 1300, "status": "safe"},
    {"key": ["total", "RE05"], "value": 900, "status": "safe"},
    {"key": ["2022", "RE05"], "value": 400, "status": "safe"},
    {"key": ["2023", "RE05"], "value": 500, "status": "safe"},
    {"key": ["2022", "GM0363"], "value": null, "status": "primary"},
    {"key": ["2022", "GM0362"], "value": null, "status": "secondary"},
    {"key": ["2023", "GM0363"], "value": 480, "status": "safe"},
    {"key": ["2023", "GM0362"], "value": 20, "status": "safe"},
    {"key": ["total", "RE07"], "value": 1600, "status": "safe"},
    {"key": ["2022", "RE07"], "value": 800, "status": "safe"},
    {"key": ["2023", "RE07"], "value": 800, "status": "safe"}]})";

PublishedTable table() {
  auto parsed = parse_published_table(kTable);
  EXPECT_TRUE(parsed.has_value()) << parsed.error().message;
  return *parsed;
}

std::vector<std::string> row_codes(const PublishedTable& t, const ExplorerView& view, const Grid& grid) {
  std::vector<std::string> codes;
  for (const auto& row : grid.rows) codes.push_back(t.dimensions[view.rows].codes[row.code].code);
  return codes;
}

// A second reading of a query string, written for the test: key=value pairs split on '&',
// with %2C the only escape our codes need.
Parameters parse_query(const std::string& query) {
  Parameters out;
  std::size_t at = 0;
  while (at < query.size()) {
    const std::size_t end = std::min(query.find('&', at), query.size());
    const std::string part = query.substr(at, end - at);
    const std::size_t eq = part.find('=');
    std::string value = part.substr(eq + 1);
    for (std::size_t p; (p = value.find("%2C")) != std::string::npos;) value.replace(p, 3, ",");
    out.emplace_back(part.substr(0, eq), value);
    at = end + 1;
  }
  return out;
}

TEST(ChooseView, DefaultsToRegionsByYearOpenToThePoliceUnits) {
  const PublishedTable t = table();

  const ExplorerView view = choose_view(t, {});
  const Grid grid = make_grid(t, view);

  EXPECT_EQ(t.dimensions[view.rows].name, "region");
  ASSERT_TRUE(view.columns.has_value());
  EXPECT_EQ(t.dimensions[*view.columns].name, "year");
  EXPECT_EQ(row_codes(t, view, grid), (std::vector<std::string>{"NL01", "RE05", "RE07", "unknown"}));
  ASSERT_EQ(grid.columns.size(), 3u);  // 2022, 2023, then the total.
  EXPECT_EQ(t.dimensions[1].codes.size(), 7u);
  EXPECT_EQ(*grid.rows[1].cells[1]->value, 500);  // Amsterdam unit, 2023.
  EXPECT_EQ(*grid.rows[1].cells[2]->value, 900);  // Amsterdam unit, all years.
  EXPECT_TRUE(grid.rows[1].expandable);
  EXPECT_FALSE(grid.rows[1].expanded);
  EXPECT_FALSE(grid.has_primary) << "the suppressed cells are in closed municipalities";
}

TEST(ChooseView, OpeningOneUnitShowsItsMunicipalitiesAndTheirSuppressions) {
  const PublishedTable t = table();

  const ExplorerView view = choose_view(t, {{"open", "RE05"}});
  const Grid grid = make_grid(t, view);

  EXPECT_EQ(row_codes(t, view, grid),
            (std::vector<std::string>{"NL01", "RE05", "GM0363", "GM0362", "RE07", "unknown"}));
  EXPECT_TRUE(grid.rows[1].expanded);
  EXPECT_FALSE(grid.rows[2].cells[0]->value.has_value());
  EXPECT_TRUE(grid.has_primary);
  EXPECT_TRUE(grid.has_secondary);
  EXPECT_EQ(grid.rows[5].cells[0], nullptr) << "a cell the table does not have";
}

TEST(ChooseView, ClosingTheRootHidesEverythingBelowIt) {
  const PublishedTable t = table();

  const ExplorerView view = choose_view(t, {{"depth", "2"}, {"open", "NL01"}});
  const Grid grid = make_grid(t, view);

  EXPECT_EQ(row_codes(t, view, grid), (std::vector<std::string>{"NL01"}));
}

TEST(ChooseView, FiltersAYearWhenTheYearsAreInTheRows) {
  const PublishedTable t = table();

  const ExplorerView view = choose_view(t, {{"rows", "year"}, {"region", "RE07"}});
  const Grid grid = make_grid(t, view);

  EXPECT_EQ(t.dimensions[view.rows].name, "year");
  ASSERT_TRUE(view.columns.has_value()) << "swapping rows and columns keeps the other dimension in the columns";
  EXPECT_EQ(t.dimensions[*view.columns].name, "region");
  ASSERT_EQ(grid.rows.size(), 3u);
  ASSERT_EQ(grid.columns.size(), 4u);              // RE05, RE07, unknown, then the country.
  EXPECT_EQ(*grid.rows[1].cells[1]->value, 800);   // 2022, Rotterdam unit.
  EXPECT_EQ(*grid.rows[2].cells[3]->value, 1300);  // 2023, the country.
}

TEST(ChooseView, UnknownValuesFallBackToTheDefaults) {
  const PublishedTable t = table();

  const ExplorerView view =
      choose_view(t, {{"rows", "nonsense"}, {"cols", "region"}, {"depth", "9"}, {"year", "1999"}, {"open", "GM0363"}});

  EXPECT_EQ(t.dimensions[view.rows].name, "region");
  EXPECT_EQ(t.dimensions[*view.columns].name, "year") << "rows and columns cannot be the same dimension";
  EXPECT_EQ(view.depth, 2) << "clamped to the deepest level";
  EXPECT_EQ(view.filter[0], 0u);
  EXPECT_TRUE(view.toggled.empty()) << "a municipality has nothing to open";
}

TEST(ViewQuery, IsAPermalinkThatGivesTheSameViewBack) {
  const PublishedTable t = table();
  const ExplorerView view =
      choose_view(t, {{"rows", "region"}, {"cols", "none"}, {"year", "2023"}, {"open", "RE07,RE05"}});

  const std::string query = view_query(t, view, "en");
  const ExplorerView again = choose_view(t, parse_query(query));

  EXPECT_EQ(query, "lang=en&cols=none&year=2023&open=RE05%2CRE07");
  EXPECT_EQ(again.rows, view.rows);
  EXPECT_EQ(again.columns, view.columns);
  EXPECT_EQ(again.filter, view.filter);
  EXPECT_EQ(again.depth, view.depth);
  EXPECT_EQ(again.toggled, view.toggled);
  EXPECT_EQ(view_query(t, view, "nl", "RE07"), "lang=nl&cols=none&year=2023&open=RE05")
      << "the toggle link closes RE07";
  EXPECT_EQ(view_query(t, choose_view(t, {}), "nl"), "lang=nl") << "the default view has a short link";
}

TEST(GridCsv, WritesTheViewWithLevelsLabelsAndX) {
  const PublishedTable t = table();
  const ExplorerView view = choose_view(t, {{"open", "RE05"}});

  const std::string csv = grid_csv(Language::kEnglish, t, view, make_grid(t, view));

  EXPECT_EQ(csv,
            "region (level),region,2022,2023,all years (persons per year summed)\n"
            "country,Netherlands,1200,1300,2500\n"
            "police unit,Amsterdam,400,500,900\n"
            "municipality,Amsterdam,x,480,\n"
            "municipality,Amstelveen,x,20,\n"
            "police unit,Rotterdam,800,800,1600\n"
            ",municipality unknown,,,\n");
}

TEST(ParsePublishedTable, RejectsAChildBeforeItsParent) {
  const auto parsed = parse_published_table(R"({"dimensions": [{"name": "sex", "codes": [
      {"code": "f", "parent": "T", "label": "vrouw"}, {"code": "T", "parent": null, "label": "totaal"}]}], "cells": []})");

  ASSERT_FALSE(parsed.has_value());
  EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.error().message.find("'f' comes before its parent 'T'"), std::string::npos)
      << parsed.error().message;
}

TEST(FormatNumber, UsesTheLanguagesThousandsSeparator) {
  EXPECT_EQ(format_number(Language::kDutch, 1500), "1.500");
  EXPECT_EQ(format_number(Language::kEnglish, 1500), "1,500");
  EXPECT_EQ(format_number(Language::kDutch, -1234567), "-1.234.567");
  EXPECT_EQ(format_number(Language::kEnglish, 999), "999");
  EXPECT_EQ(format_number(Language::kDutch, 0), "0");
}

TEST(FormatDate, WritesTheMonthInTheLanguage) {
  EXPECT_EQ(format_date(Language::kDutch, "2024-03-05"), "5 maart 2024");
  EXPECT_EQ(format_date(Language::kEnglish, "2024-12-10"), "10 December 2024");
  EXPECT_EQ(format_date(Language::kDutch, "2024-13-05"), "2024-13-05") << "not a date: unchanged";
  EXPECT_EQ(format_date(Language::kDutch, "2024"), "2024");
}

}  // namespace
}  // namespace rapporteur::web::internal
