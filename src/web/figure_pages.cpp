// The figures pages: the list of published tables and the table explorer (choose rows,
// columns, filters and how deep the hierarchy opens; works without JavaScript, every view a
// permalink), its chart data and its footnotes on suppression.
#include <algorithm>

#include <nlohmann/json.hpp>

#include "web/internal/explorer.h"
#include "web/internal/html.h"
#include "web/internal/labels.h"
#include "web/internal/pages.h"

namespace rapporteur::web::internal {
namespace {

const char* lang_of(Language language) { return dutch(language) ? "nl" : "en"; }

std::string code_label(Language language, const PublishedTable::Dimension& d, std::size_t code) {
  return dimension_code_label(language, d.name, d.codes[code].code, d.codes[code].label);
}

// "vorm" -> "Vorm", for labels that start a line (ASCII first letters only: our names).
std::string capitalised(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

Html option(const std::string& value, const std::string& text, bool selected) {
  return html("<option value=\"{}\"{}>{}</option>", Html::escape(value), selected ? Html(" selected") : Html(""),
              Html::escape(text));
}

// The form that chooses a view: a GET form, so it needs no script and its URL is the view's
// permalink.
Html view_form(Language language, const PublishedTable& table, const ExplorerView& view) {
  Html rows;
  Html columns;
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    const std::string name = table.dimensions[d].name;
    rows += option(name, dimension_name(language, name), d == view.rows);
    columns += option(name, dimension_name(language, name), view.columns && *view.columns == d);
  }
  columns += option("none", dutch(language) ? "geen" : "none", !view.columns);
  const auto& row_dimension = table.dimensions[view.rows];
  Html depths;
  for (int depth = 0; depth <= row_dimension.max_depth; ++depth) {
    const std::string level = level_name(language, row_dimension.name, depth, "");
    depths += option(std::to_string(depth),
                     level.empty() ? fmt::format("{} {}", depth + 1,
                                                 dutch(language) ? (depth == 0 ? "niveau" : "niveaus")
                                                                 : (depth == 0 ? "level" : "levels"))
                                   : level,
                     depth == view.depth);
  }
  Html filters;
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    if (d == view.rows || (view.columns && *view.columns == d)) continue;
    const auto& dimension = table.dimensions[d];
    Html options;
    for (std::size_t c = 0; c < dimension.codes.size(); ++c) {
      std::string indent;
      for (int i = 0; i < dimension.codes[c].depth; ++i) indent += "\u00a0\u00a0";
      options += option(dimension.codes[c].code, indent + code_label(language, dimension, c), c == view.filter[d]);
    }
    filters += html("<div><label for=\"f-{}\">{}</label>\n<select id=\"f-{}\" name=\"{}\">{}</select></div>\n",
                    Html::escape(dimension.name), Html::escape(capitalised(dimension_name(language, dimension.name))),
                    Html::escape(dimension.name), Html::escape(dimension.name), options);
  }
  return html(R"(<form class="panel view" method="get" action="/cijfers/{}">
<input type="hidden" name="lang" value="{}">
<div><label for="rows">{}</label>
<select id="rows" name="rows">{}</select></div>
<div><label for="cols">{}</label>
<select id="cols" name="cols">{}</select></div>
<div><label for="depth">{}</label>
<select id="depth" name="depth">{}</select></div>
{}<div><button type="submit">{}</button></div>
</form>
)",
              Html::escape(table.name), Html(dutch(language) ? "nl" : "en"), t(language, "Rijen", "Rows"), rows,
              t(language, "Kolommen", "Columns"), columns, t(language, "Rijen open tot", "Rows open down to"), depths,
              filters, t(language, "Toon", "Show"));
}

Html cell_html(Language language, const PublishedTable::Cell* cell) {
  if (cell == nullptr) return Html("<td class=\"num\">&ndash;</td>");
  if (!cell->value) {
    // The text stays "x", as CBS writes it; the class marks which footnote explains it.
    return cell->status == "secondary" ? Html("<td class=\"num x secondary\" aria-describedby=\"fn-secondary\">x</td>")
                                       : Html("<td class=\"num x primary\" aria-describedby=\"fn-primary\">x</td>");
  }
  return html("<td class=\"num\">{}</td>", Html::escape(format_number(language, *cell->value)));
}

// The chart's data, built here so the chart shows the view and its words: years along the
// axis, a line per row at the first level under the root (at most 12).
nlohmann::json chart_data(Language language, const PublishedTable& table, const ExplorerView& view, const Grid& grid) {
  using nlohmann::json;
  const auto year = table.dimension("year");
  const auto& rows = table.dimensions[view.rows];
  json labels = json::array();
  json series = json::array();
  const auto value_of = [](const PublishedTable::Cell* cell) {
    return cell != nullptr && cell->value ? json(*cell->value) : json(nullptr);
  };
  if (view.columns && year && *view.columns == *year) {
    for (std::size_t c = 0; c + 1 < grid.columns.size(); ++c) {
      labels.push_back(table.dimensions[*year].codes[grid.columns[c]].code);
    }
    for (const auto& row : grid.rows) {
      const int depth = rows.codes[row.code].depth;
      if (depth != (rows.max_depth == 0 ? 0 : 1) || series.size() >= 12) continue;
      json data = json::array();
      for (std::size_t c = 0; c + 1 < row.cells.size(); ++c) data.push_back(value_of(row.cells[c]));
      series.push_back({{"name", code_label(language, rows, row.code)}, {"data", data}});
    }
    return {{"kind", "line"}, {"labels", labels}, {"series", series}};
  }
  if (view.columns && year && view.rows == *year) {
    std::vector<const Grid::Row*> years;
    for (const auto& row : grid.rows) {
      if (rows.codes[row.code].depth == 1) {
        years.push_back(&row);
        labels.push_back(rows.codes[row.code].code);
      }
    }
    const auto& columns = table.dimensions[*view.columns];
    for (std::size_t c = 0; c + 1 < grid.columns.size() && series.size() < 12; ++c) {
      json data = json::array();
      for (const auto* row : years) data.push_back(value_of(row->cells[c]));
      series.push_back({{"name", code_label(language, columns, grid.columns[c])}, {"data", data}});
    }
    return {{"kind", "line"}, {"labels", labels}, {"series", series}};
  }
  json data = json::array();
  for (const auto& row : grid.rows) {
    if (rows.codes[row.code].depth != 1 || labels.size() >= 24) continue;
    labels.push_back(code_label(language, rows, row.code));
    data.push_back(value_of(row.cells.back()));
  }
  series.push_back({{"name", dutch(language) ? table.title : table.title_en}, {"data", data}});
  return {{"kind", "bar"}, {"labels", labels}, {"series", series}};
}

Html footnotes(Language language, const PublishedTable& table, const Grid& grid) {
  Html out;
  const std::string n = format_number(language, table.min_frequency);
  if (grid.has_primary) {
    out +=
        html("<p id=\"fn-primary\"><span class=\"x primary\">x</span> {}</p>\n",
             Html::escape(
                 dutch(language)
                     ? fmt::format("Primair onderdrukt: minder dan {} personen in de cel (de minimumfrequentie); zo'n "
                                   "klein aantal kan naar personen herleidbaar zijn.",
                                   n)
                     : fmt::format("Primary suppression: fewer than {} persons in the cell (the minimum frequency); "
                                   "so small a number could identify people.",
                                   n)));
  }
  if (grid.has_secondary) {
    const std::string p = format_number(language, static_cast<std::int64_t>(table.protection_percent));
    out += html(
        "<p id=\"fn-secondary\"><span class=\"x secondary\">x</span> {}</p>\n",
        Html::escape(dutch(language)
                         ? fmt::format("Secundair onderdrukt: deze cel is zelf veilig, maar is weggelaten omdat een "
                                       "primair onderdrukte cel anders uit de totalen terug te rekenen zou zijn (tot "
                                       "binnen {}% van haar waarde).",
                                       p)
                         : fmt::format("Secondary suppression: this cell is safe itself but is withheld because a "
                                       "primary suppressed cell could otherwise be worked out from the totals (to "
                                       "within {}% of its value).",
                                       p)));
  }
  if (grid.has_perturbed || table.method == "cell_key") {
    out +=
        html("<p>{}</p>\n", t(language,
                              "Celwaarden zijn licht verstoord (cell-key-methode) om onthulling te voorkomen; "
                              "totalen tellen daardoor niet altijd precies op.",
                              "Cell values are slightly perturbed (the cell-key method) to prevent disclosure; totals "
                              "therefore do not always add up exactly."));
  }
  if (dutch(language)) {
    for (const auto& f : table.footnotes) out += html("<p>{}</p>\n", Html::escape(f));
  } else {
    out += Html("<p>Persons are linked across sources; a person counts once per year.</p>\n");
  }
  return out;
}

}  // namespace

std::string render_figures_index(Language language, const std::vector<std::pair<std::string, std::string>>& tables) {
  Html items;
  for (const auto& [name, title] : tables) {
    items += html("<li><a href=\"/cijfers/{}?lang={}\">{}</a></li>\n", Html::escape(name),
                  Html(dutch(language) ? "nl" : "en"), Html::escape(title));
  }
  const Html body = html(
      "<h1>{}</h1>\n<p>{}</p>\n{}", t(language, "Cijfers", "Figures"),
      t(language,
        "Alle tabellen zijn beveiligd tegen onthulling en onafhankelijk gecontroleerd voordat ze werden "
        "gepubliceerd; onderdrukte cellen staan als x. Kies in elke tabel zelf de rijen, kolommen en filters.",
        "Every table was protected against disclosure and independently audited before publication; "
        "suppressed cells show as x. In each table, choose the rows, columns and filters yourself."),
      tables.empty()
          ? html("<p>{}</p>", t(language, "Nog geen tabellen gepubliceerd.", "No tables published yet."))
          : html("<ul>\n{}</ul>\n<p><a href=\"/kaart?lang={}\">{}</a></p>", items, Html(dutch(language) ? "nl" : "en"),
                 t(language, "Kaart: slachtoffers per politie-eenheid", "Map: victims by police unit")));
  return render_layout(language, t(language, "Cijfers", "Figures"), body);
}

std::string render_figure(Language language, const PublishedTable& table, const ExplorerView& view, const Grid& grid,
                          const std::map<std::string, std::string>& source_names, bool chart_available,
                          const std::vector<std::pair<std::string, std::string>>& publications) {
  const std::string lang = lang_of(language);
  const std::string title = dutch(language) ? table.title : table.title_en;
  const auto& rows = table.dimensions[view.rows];
  Html head = html("<th scope=\"col\">{}</th>", Html::escape(dimension_name(language, rows.name)));
  if (view.columns) {
    const auto& columns = table.dimensions[*view.columns];
    for (const std::size_t c : grid.columns) {
      head += html(
          "<th scope=\"col\" class=\"num\">{}</th>",
          Html::escape(c == 0 ? std::string(dutch(language) ? "totaal" : "total") : code_label(language, columns, c)));
    }
  } else {
    head += html("<th scope=\"col\" class=\"num\">{}</th>", t(language, "aantal", "count"));
  }
  Html body_rows;
  for (const auto& row : grid.rows) {
    const auto& code = rows.codes[row.code];
    const std::string label = code_label(language, rows, row.code);
    Html toggle;
    if (row.expandable) {
      toggle =
          html("<a class=\"toggle\" href=\"/cijfers/{}?{}#r-{}\" aria-expanded=\"{}\" aria-label=\"{} {}\">{}</a> ",
               Html::escape(table.name), Html::escape(view_query(table, view, lang, code.code)),
               Html::escape(code.code), row.expanded ? Html("true") : Html("false"), Html::escape(label),
               row.expanded ? t(language, "dichtklappen", "collapse") : t(language, "openklappen", "expand"),
               row.expanded ? Html("&minus;") : Html("+"));
    }
    const std::string level = code.depth == 1 ? level_name(language, rows.name, 1, code.code) : "";
    Html cells;
    for (const auto* cell : row.cells) cells += cell_html(language, cell);
    body_rows +=
        html("<tr id=\"r-{}\" class=\"level-{}\"><th scope=\"row\">{}{}{}</th>{}</tr>\n", Html::escape(code.code),
             Html::escape(std::to_string(std::min(code.depth, 3))), toggle, Html::escape(label),
             level.empty() ? Html("") : html(" <span class=\"lvl\">{}</span>", Html::escape(level)), cells);
  }
  std::string caption;
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    if (d == view.rows || (view.columns && *view.columns == d)) continue;
    caption += (caption.empty() ? "" : "; ") + capitalised(dimension_name(language, table.dimensions[d].name)) + ": " +
               code_label(language, table.dimensions[d], view.filter[d]);
  }
  std::string sources;
  for (const auto& s : table.sources) {
    const auto found = source_names.find(s);
    sources += (sources.empty() ? "" : ", ") + (found == source_names.end() ? s : found->second);
  }
  const std::string query = view_query(table, view, lang);
  const Html name = Html::escape(table.name);
  Html reports;
  for (const auto& [slug, publication_title] : publications) {
    reports += html("<li><a href=\"/publicaties/{}?lang={}\">{}</a></li>", Html::escape(slug),
                    Html(dutch(language) ? "nl" : "en"), Html::escape(publication_title));
  }
  if (!publications.empty()) {
    reports = html("<h2>{}</h2>\n<ul class=\"publications\">{}</ul>\n",
                   t(language, "Publicaties over deze cijfers", "Publications on these figures"), reports);
  }
  const Html body = html(
      R"(<p><a href="/cijfers?lang={}">{}</a></p>
<h1>{}</h1>
<p class="panel">{} {}. {} {}.</p>
{}{}<div class="scroll" tabindex="0"><table class="explorer">
<caption>{}</caption>
<thead><tr>{}</tr></thead>
<tbody>
{}</tbody>
</table></div>
<div class="footnotes muted">
{}</div>
<p>{} <a href="/cijfers/{}?{}">{}</a> · {} <a href="/cijfers/{}?{}&amp;format=csv">CSV</a> · <a href="/cijfers/{}?{}&amp;format=xlsx">Excel</a> · <a href="/cijfers/{}?{}&amp;format=json">JSON</a></p>
<p>{} <a href="/cijfers/{}.csv">CSV</a> · <a href="/cijfers/{}.xlsx">Excel</a> · <a href="/api/v1/tables/{}">JSON</a></p>
{}{})",
      Html(dutch(language) ? "nl" : "en"), t(language, "« Alle cijfers", "« All figures"), Html::escape(title),
      t(language, "Bronnen:", "Sources:"), Html::escape(sources), t(language, "Gepubliceerd", "Published"),
      Html::escape(format_date(language, table.date)), view_form(language, table, view),
      chart_available ? html("<div id=\"chart\" class=\"chart\" data-chart=\"{}\" data-lang=\"{}\" role=\"img\" "
                             "aria-label=\"{}\"></div>\n",
                             Html::escape(chart_data(language, table, view, grid).dump()),
                             Html(dutch(language) ? "nl" : "en"), Html::escape(title))
                      : Html(""),
      Html::escape(caption.empty() ? title : caption), head, body_rows, footnotes(language, table, grid),
      t(language, "Deze weergave:", "This view:"), name, Html::escape(query), t(language, "vaste link", "permalink"),
      t(language, "downloaden als", "download as"), name, Html::escape(query), name, Html::escape(query), name,
      Html::escape(query), t(language, "De hele tabel:", "The whole table:"), name, name, name, reports,
      chart_available
          ? Html(
                "<script src=\"/static/vendor/echarts.min.js\"></script>\n<script src=\"/static/figures.js\"></script>")
          : Html(""));
  return render_layout(language, Html::escape(title), body);
}

}  // namespace rapporteur::web::internal
