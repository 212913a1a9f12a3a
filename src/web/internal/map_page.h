// The map of police units (/kaart): a published table's count per police unit in one year,
// with the rate per 100,000 inhabitants where the population is known, drawn by the server
// as a tile-grid cartogram in SVG (one tile per unit in its approximate place: no npm package
// with Dutch boundaries could be had) beside a table with the same numbers. Pure: plain data
// in and out. Internal to web.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "web/internal/explorer.h"
#include "web/internal/pages.h"

namespace rapporteur::web::internal {

// One police unit of a published table in one year.
struct MapUnit {
  std::string code;                        // E.g. "RE05".
  std::string name;                        // The table's label, e.g. "Amsterdam".
  std::optional<std::int64_t> count;       // Nothing when not published (suppressed or no cell).
  std::optional<std::int64_t> population;  // Inhabitants on 1 January, when known.

  // Registered victims per 100,000 inhabitants; nothing without a count or a population.
  std::optional<double> rate() const;
};

// The police units of `table` (the region dimension's codes at depth 1 but "unknown"), each
// with its cell at `year` and every other dimension at its root, in table order. Empty when
// the table has no region or year dimension or `year` is not one of its codes.
std::vector<MapUnit> police_unit_counts(const PublishedTable& table, const std::string& year);

// The years of `table`'s year dimension below its root, in table order.
std::vector<std::string> table_years(const PublishedTable& table);

// The map page: a year chooser (GET form), the cartogram (SVG, works without script) with
// its legend, the table of counts and rates ("niet gepubliceerd" / "not published" for units
// without a published count, with the reason), the source and, when `chart_available`, the
// data for static/map.js to redraw the tiles as an ECharts map series.
std::string render_map(Language language, const PublishedTable& table, const std::string& year,
                       const std::vector<MapUnit>& units, bool chart_available);

}  // namespace rapporteur::web::internal
