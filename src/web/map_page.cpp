// The map of police units: a tile-grid cartogram drawn here in SVG (works without script),
// the same numbers in a table, and the data static/map.js redraws as an ECharts map series.
// Tiles, not boundaries: no npm package with Dutch boundaries (municipalities or police
// units) could be had, so each unit is one tile in its approximate geographic place.
#include "web/internal/map_page.h"

#include <algorithm>
#include <array>
#include <cmath>

#include <nlohmann/json.hpp>

#include "web/internal/html.h"
#include "web/internal/labels.h"

namespace rapporteur::web::internal {
namespace {

// Column and row of each police unit's tile, by its name (Politiewet 2012 units): north at
// the top, the coast on the left. Units not listed go on a row below.
struct Tile {
  const char* name;
  int column;
  int row;
};
constexpr std::array kTiles = {
    Tile{"Noord-Holland", 1, 0},    Tile{"Noord-Nederland", 3, 0},      Tile{"Amsterdam", 1, 1},
    Tile{"Midden-Nederland", 2, 1}, Tile{"Oost-Nederland", 3, 1},       Tile{"Den Haag", 0, 2},
    Tile{"Rotterdam", 1, 2},        Tile{"Zeeland-West-Brabant", 1, 3}, Tile{"Oost-Brabant", 2, 3},
    Tile{"Limburg", 3, 3},
};
constexpr int kTileWidth = 120;
constexpr int kTileHeight = 84;
constexpr int kGap = 6;
constexpr int kColumns = 4;

// Light to dark blue; text dark on the first three, white on the last two.
constexpr std::array<const char*, 5> kPalette = {"#deebf7", "#9ecae1", "#6baed6", "#2c6fad", "#08419c"};

std::string format_rate(Language language, double rate) {
  std::string text = fmt::format("{:.1f}", rate);
  if (dutch(language)) std::replace(text.begin(), text.end(), '.', ',');
  return text;
}

// The value a unit is coloured by: the rate when every published unit has a population, else
// the count.
bool use_rates(const std::vector<MapUnit>& units) {
  bool any = false;
  for (const auto& u : units) {
    if (!u.count) continue;
    if (!u.population || *u.population <= 0) return false;
    any = true;
  }
  return any;
}

std::optional<double> metric(const MapUnit& unit, bool rates) {
  if (!unit.count) return std::nullopt;
  return rates ? unit.rate() : std::optional<double>(static_cast<double>(*unit.count));
}

std::string shown_value(Language language, const MapUnit& unit, bool rates) {
  if (!unit.count) return dutch(language) ? "niet gepubliceerd" : "not published";
  return rates ? format_rate(language, *unit.rate()) : format_number(language, *unit.count);
}

// The tile's name on one or two lines: long names break after their first hyphen.
Html tile_name(const std::string& name, int x, int y) {
  const auto hyphen = name.find('-');
  if (name.size() <= 12 || hyphen == std::string::npos) {
    return html("<text x=\"{}\" y=\"{}\" class=\"tile-name\">{}</text>", Html::escape(std::to_string(x)),
                Html::escape(std::to_string(y)), Html::escape(name));
  }
  return html(
      "<text x=\"{}\" y=\"{}\" class=\"tile-name\"><tspan x=\"{}\">{}</tspan><tspan x=\"{}\" "
      "dy=\"13\">{}</tspan></text>",
      Html::escape(std::to_string(x)), Html::escape(std::to_string(y - 7)), Html::escape(std::to_string(x)),
      Html::escape(name.substr(0, hyphen + 1)), Html::escape(std::to_string(x)), Html::escape(name.substr(hyphen + 1)));
}

}  // namespace

std::optional<double> MapUnit::rate() const {
  if (!count || !population || *population <= 0) return std::nullopt;
  return static_cast<double>(*count) * 100'000.0 / static_cast<double>(*population);
}

std::vector<std::string> table_years(const PublishedTable& table) {
  std::vector<std::string> years;
  const auto year = table.dimension("year");
  if (!year) return years;
  for (const auto& code : table.dimensions[*year].codes) {
    if (code.depth == 1) years.push_back(code.code);
  }
  return years;
}

std::vector<MapUnit> police_unit_counts(const PublishedTable& table, const std::string& year) {
  std::vector<MapUnit> units;
  const auto region = table.dimension("region");
  const auto year_dimension = table.dimension("year");
  if (!region || !year_dimension || !table.dimensions[*year_dimension].find(year)) return units;
  std::vector<std::string> key;
  for (const auto& d : table.dimensions) key.push_back(d.codes.front().code);
  key[*year_dimension] = year;
  for (const auto& code : table.dimensions[*region].codes) {
    if (code.depth != 1 || code.code == "unknown") continue;
    key[*region] = code.code;
    MapUnit unit{.code = code.code, .name = code.label};
    if (const auto found = table.cells.find(key); found != table.cells.end()) unit.count = found->second.value;
    units.push_back(std::move(unit));
  }
  return units;
}

std::string render_map(Language language, const PublishedTable& table, const std::string& year,
                       const std::vector<MapUnit>& units, bool chart_available) {
  const std::string lang = dutch(language) ? "nl" : "en";
  const bool rates = use_rates(units);
  double low = 0;
  double high = 0;
  bool first = true;
  for (const auto& u : units) {
    if (const auto v = metric(u, rates)) {
      low = first ? *v : std::min(low, *v);
      high = first ? *v : std::max(high, *v);
      first = false;
    }
  }
  // Five classes of equal width between the lowest and the highest published value.
  const auto class_of = [&](double v) {
    if (high <= low) return 2;
    return std::clamp(static_cast<int>((v - low) / (high - low) * 5.0), 0, 4);
  };
  const auto format_metric = [&](double v) {
    return rates ? format_rate(language, v) : format_number(language, static_cast<std::int64_t>(std::llround(v)));
  };

  Html tiles;
  Html rows;
  nlohmann::json data = nlohmann::json::array();
  int extra = 0;
  int max_row = 3;
  for (const auto& u : units) {
    const auto* found =
        std::find_if(kTiles.begin(), kTiles.end(), [&](const Tile& tile) { return u.name == tile.name; });
    int column = 0;
    int row = 0;
    if (found != kTiles.end()) {
      column = found->column;
      row = found->row;
    } else {
      column = extra % kColumns;
      row = 4 + extra / kColumns;
      ++extra;
    }
    max_row = std::max(max_row, row);
    const int x = kGap + column * (kTileWidth + kGap);
    const int y = kGap + row * (kTileHeight + kGap);
    const auto v = metric(u, rates);
    const int level = v ? class_of(*v) : -1;
    const std::string value = shown_value(language, u, rates);
    tiles += html(
        "<g class=\"tile{}\" data-code=\"{}\"><title>{}: {}</title>"
        "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"{}\"/>{}"
        "<text x=\"{}\" y=\"{}\" class=\"tile-value\">{}</text></g>\n",
        v ? (level >= 3 ? Html(" dark") : Html("")) : Html(" suppressed"), Html::escape(u.code), Html::escape(u.name),
        Html::escape(value), Html::escape(std::to_string(x)), Html::escape(std::to_string(y)),
        Html::escape(std::to_string(kTileWidth)), Html::escape(std::to_string(kTileHeight)),
        v ? Html::escape(kPalette[static_cast<std::size_t>(level)]) : Html("url(#hatch)"),
        tile_name(u.name, x + kTileWidth / 2, y + 30), Html::escape(std::to_string(x + kTileWidth / 2)),
        Html::escape(std::to_string(y + 62)), v ? Html::escape(value) : t(language, "niet gepubl.", "not publ."));
    rows += html(
        "<tr id=\"u-{}\"><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td></tr>\n",
        Html::escape(u.code), Html::escape(u.name),
        u.count ? Html::escape(format_number(language, *u.count))
                : html("<span class=\"x\" aria-describedby=\"map-suppressed\">{}</span>",
                       t(language, "niet gepubliceerd", "not published")),
        u.population ? Html::escape(format_number(language, *u.population)) : Html("&ndash;"),
        u.rate() ? Html::escape(format_rate(language, *u.rate())) : Html("&ndash;"));
    data.push_back({{"code", u.code},
                    {"name", u.name},
                    {"column", column},
                    {"row", row},
                    {"value", v ? nlohmann::json(*v) : nlohmann::json(nullptr)},
                    {"colour", v ? nlohmann::json(kPalette[static_cast<std::size_t>(level)]) : nlohmann::json(nullptr)},
                    {"dark", level >= 3}});
  }

  Html legend;
  if (!first) {
    for (int c = 0; c < 5; ++c) {
      if (high <= low && c != 2) continue;
      const double from = high <= low ? low : low + (high - low) * c / 5.0;
      const double to = high <= low ? high : low + (high - low) * (c + 1) / 5.0;
      legend += html("<li><span class=\"swatch c{}\"></span>{} &ndash; {}</li>", Html::escape(std::to_string(c)),
                     Html::escape(format_metric(from)), Html::escape(format_metric(to)));
    }
  }
  legend +=
      html("<li><span class=\"swatch hatched\"></span>{}</li>", t(language, "niet gepubliceerd", "not published"));

  // What may be published at the municipal level in the same year: how many of the table's
  // municipalities (depth 2) have a published count.
  std::size_t municipalities = 0;
  std::size_t published_municipalities = 0;
  if (const auto region = table.dimension("region"); region && !units.empty()) {
    std::vector<std::string> key;
    for (const auto& d : table.dimensions) key.push_back(d.codes.front().code);
    key[*table.dimension("year")] = year;
    for (const auto& code : table.dimensions[*region].codes) {
      if (code.depth != 2) continue;
      ++municipalities;
      key[*region] = code.code;
      const auto found = table.cells.find(key);
      if (found != table.cells.end() && found->second.value) ++published_municipalities;
    }
  }
  Html levels;
  if (municipalities > 0) {
    levels =
        html("<p>{}</p>\n",
             Html::escape(
                 dutch(language)
                     ? fmt::format("Op gemeenteniveau zijn in {} {} van de {} gemeenten gepubliceerd; de "
                                   "kaart toont daarom politie-eenheden. De gemeenten staan in de tabel.",
                                   year, format_number(language, static_cast<std::int64_t>(published_municipalities)),
                                   format_number(language, static_cast<std::int64_t>(municipalities)))
                     : fmt::format("At the municipal level {} of the {} municipalities are published for {}; "
                                   "the map therefore shows police units. The municipalities are in the table.",
                                   format_number(language, static_cast<std::int64_t>(published_municipalities)),
                                   format_number(language, static_cast<std::int64_t>(municipalities)), year)));
  }

  Html year_options;
  for (const auto& y : table_years(table)) {
    year_options += html("<option value=\"{}\"{}>{}</option>", Html::escape(y),
                         y == year ? Html(" selected") : Html(""), Html::escape(y));
  }
  const std::string metric_name = rates ? (dutch(language) ? "geregistreerde slachtoffers per 100.000 inwoners"
                                                           : "registered victims per 100,000 inhabitants")
                                        : (dutch(language) ? "geregistreerde slachtoffers" : "registered victims");
  const std::string caption = dutch(language) ? fmt::format("Geregistreerde slachtoffers per politie-eenheid, {}", year)
                                              : fmt::format("Registered victims by police unit, {}", year);
  const int width = kGap + kColumns * (kTileWidth + kGap);
  const int height = kGap + (max_row + 1) * (kTileHeight + kGap);
  const nlohmann::json chart = {{"lang", lang},
                                {"metric", metric_name},
                                {"rates", rates},
                                {"not_published", dutch(language) ? "niet gepubliceerd" : "not published"},
                                {"units", data}};
  const Html body = html(
      R"html(<p><a href="/cijfers?lang={}">{}</a></p>
<h1>{}</h1>
<p class="panel">{}</p>
<form class="panel view" method="get" action="/kaart">
<input type="hidden" name="lang" value="{}">
<div><label for="year">{}</label>
<select id="year" name="year">{}</select></div>
<div><button type="submit">{}</button></div>
</form>
<div class="map-layout">
<figure class="map">
<svg id="map-svg" viewBox="0 0 {} {}" role="img" aria-labelledby="map-title" data-map="{}">
<title id="map-title">{} ({})</title>
<defs><pattern id="hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
<rect width="8" height="8" fill="#e6e6e6"/><line x1="0" y1="0" x2="0" y2="8" stroke="#8a8a8a" stroke-width="3"/></pattern></defs>
{}</svg>
<figcaption><p class="muted">{}{}.</p>
<ul class="map-legend" aria-label="{}">{}</ul></figcaption>
</figure>
<div class="scroll" tabindex="0"><table class="explorer map-table">
<caption>{}</caption>
<thead><tr><th scope="col">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th></tr></thead>
<tbody>
{}</tbody>
</table></div>
</div>
<div class="footnotes muted">
<p id="map-suppressed">{}</p>
{}<p>{}</p>
</div>
<p>{} <a href="/cijfers/{}?lang={}">{}</a> · <a href="/api/v1/tables/{}">JSON</a></p>
{})html",
      Html::escape(lang), t(language, "« Alle cijfers", "« All figures"),
      t(language, "Kaart: slachtoffers per politie-eenheid", "Map: victims by police unit"),
      t(language,
        "Geregistreerde (mogelijke) slachtoffers van mensenhandel per regionale eenheid van de politie, uit de "
        "gepubliceerde "
        "tabel. De regio is die van de melder, niet de plaats van uitbuiting: een hoog cijfer zegt iets over melden, "
        "niet "
        "per se over vóórkomen.",
        "Registered presumed victims of human trafficking by regional police unit, from the published table. The "
        "region is "
        "that of the reporting body, not the place of exploitation: a high figure says something about reporting, not "
        "necessarily about prevalence."),
      Html::escape(lang), t(language, "Jaar", "Year"), year_options, t(language, "Toon", "Show"),
      Html::escape(std::to_string(width)), Html::escape(std::to_string(height)), Html::escape(chart.dump()),
      Html::escape(caption), Html::escape(metric_name), tiles,
      t(language, "Tegelkaart: elke politie-eenheid is één tegel op haar globale plaats, geen echte grenzen. Kleur: ",
        "Tile map: each police unit is one tile in its approximate place, not its real boundaries. Colour: "),
      Html::escape(metric_name), t(language, "legenda", "legend"), legend, Html::escape(caption),
      t(language, "politie-eenheid", "police unit"), t(language, "aantal", "count"),
      t(language, "inwoners", "inhabitants"), t(language, "per 100.000 inwoners", "per 100,000 inhabitants"), rows,
      Html::escape(
          dutch(language)
              ? fmt::format("Niet gepubliceerd: het aantal is onderdrukt om onthulling te voorkomen (minder dan {} "
                            "personen, of weggelaten om een onderdrukte cel te beschermen).",
                            format_number(language, table.min_frequency))
              : fmt::format("Not published: the count is suppressed to prevent disclosure (fewer than {} persons, "
                            "or withheld to protect a suppressed cell).",
                            format_number(language, table.min_frequency))),
      levels,
      t(language, "Inwoners op 1 januari (CBS). Tegelkaart getekend door dit platform; geen grensbestanden gebruikt.",
        "Inhabitants on 1 January (CBS). Tile map drawn by this platform; no boundary files used."),
      t(language, "Bron: de tabel", "Source: the table"), Html::escape(table.name), Html::escape(lang),
      Html::escape(dutch(language) ? table.title : table.title_en), Html::escape(table.name),
      chart_available
          ? Html("<script src=\"/static/vendor/echarts.min.js\"></script>\n<script src=\"/static/map.js\"></script>")
          : Html(""));
  return render_layout(language, t(language, "Kaart", "Map"), body);
}

}  // namespace rapporteur::web::internal
