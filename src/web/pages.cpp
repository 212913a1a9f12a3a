#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "web/internal/html.h"
#include "web/internal/pages.h"

namespace rapporteur::web::internal {
namespace {

struct Messages {
  const char* lang;
  const char* title;
  const char* tagline;
  const char* skip;
  const char* switch_label;
  const char* other_lang;
  const char* intro;
  const char* publications;
  const char* no_publications;
  const char* sources;
  const char* api;
  const char* footer;
};

constexpr Messages kDutch{
    "nl",
    "Rapporteur",
    "Mensenhandel en seksueel geweld tegen kinderen: cijfers, schattingen en kennis",
    "Naar de inhoud",
    "English",
    "en",
    "Dit platform verzamelt registraties van (vermoedelijke) slachtoffers en verdachten uit "
    "verschillende bronnen, schat hoeveel slachtoffers niet in beeld komen, en publiceert "
    "alleen tabellen die veilig zijn gemaakt tegen onthulling.",
    "Publicaties",
    "Nog geen publicaties.",
    "Bronnen",
    "Open data-API",
    "Rapporteur is open-sourcesoftware onder de EUPL-1.2.",
};

constexpr Messages kEnglish{
    "en",
    "Rapporteur",
    "Human trafficking and sexual violence against children: figures, estimates and knowledge",
    "Skip to content",
    "Nederlands",
    "nl",
    "This platform gathers registrations of (presumed) victims and suspects from several "
    "sources, estimates how many victims no source saw, and publishes only tables protected "
    "against disclosure.",
    "Publications",
    "No publications yet.",
    "Sources",
    "Open data API",
    "Rapporteur is open-source software under the EUPL-1.2.",
};

const Messages& messages(Language language) {
  return language == Language::kDutch ? kDutch : kEnglish;
}

Html text(const char* s) { return Html::escape(s); }

Html layout(const Messages& m, const Html& title, const Html& body) {
  return html(R"(<!doctype html>
<html lang="{}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{}</title>
<link rel="stylesheet" href="/static/style.css">
<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">
</head>
<body>
<a class="skip" href="#main">{}</a>
<header class="site">
<a class="brand" href="/?lang={}">{}</a>
<nav aria-label="menu"><a href="/cijfers?lang={}">{}</a> · <a href="/schattingen?lang={}">{}</a> · <a href="/zoeken?lang={}">{}</a> · <a href="/aanbevelingen?lang={}">{}</a> · <a href="/?lang={}" hreflang="{}" lang="{}">{}</a></nav>
</header>
<main id="main">
{}
</main>
<footer><p>{}</p></footer>
</body>
</html>
)",
              text(m.lang), title, text(m.skip), text(m.lang), text(m.title), text(m.lang),
              std::string_view(m.lang) == "nl" ? Html("Cijfers") : Html("Figures"), text(m.lang),
              std::string_view(m.lang) == "nl" ? Html("Schattingen") : Html("Estimates"), text(m.lang),
              std::string_view(m.lang) == "nl" ? Html("Kennisbank") : Html("Knowledge base"), text(m.lang),
              std::string_view(m.lang) == "nl" ? Html("Aanbevelingen") : Html("Recommendations"), text(m.other_lang),
              text(m.other_lang), text(m.other_lang), text(m.switch_label), body,
              text(m.footer));
}

}  // namespace

Language language_of(std::string_view parameter) {
  return parameter == "en" ? Language::kEnglish : Language::kDutch;
}

std::string render_home(Language language, const std::vector<Source>& sources,
                        const std::vector<Publication>& publications) {
  const Messages& m = messages(language);
  Html items;
  for (const Publication& p : publications) {
    items += html("<li><span class=\"muted\">{}</span> <a href=\"/publicaties/{}?lang={}\">{}</a></li>\n",
                  Html::escape(p.date), Html::escape(p.slug), text(m.lang), Html::escape(p.title));
  }
  Html publication_list = publications.empty() ? html("<p>{}</p>", text(m.no_publications))
                                               : html("<ul>\n{}</ul>", items);
  Html source_items;
  for (const Source& s : sources) {
    source_items += html("<li>{}</li>\n", Html::escape(s.name));
  }
  const Html body = html(R"(<h1>{}</h1>
<p class="panel">{}</p>
<section aria-labelledby="publications"><h2 id="publications">{}</h2>
{}
</section>
<section aria-labelledby="sources"><h2 id="sources">{}</h2>
<ul>
{}</ul>
</section>
<p><a href="/api/v1">{}</a></p>)",
                         text(m.tagline), text(m.intro), text(m.publications), publication_list,
                         text(m.sources), source_items, text(m.api));
  return layout(m, text(m.title), body).str();
}

std::string render_figures_index(Language language, const std::vector<std::pair<std::string, std::string>>& tables) {
  const Messages& m = messages(language);
  const bool nl = language == Language::kDutch;
  Html items;
  for (const auto& [name, title] : tables) {
    items += html("<li><a href=\"/cijfers/{}?lang={}\">{}</a></li>\n", Html::escape(name), text(m.lang), Html::escape(title));
  }
  const Html body = html("<h1>{}</h1>\n<p>{}</p>\n{}", nl ? Html("Cijfers") : Html("Figures"),
                         nl ? Html("Alle tabellen zijn beveiligd tegen onthulling en onafhankelijk gecontroleerd voordat ze "
                                   "werden gepubliceerd; onderdrukte cellen staan als x.")
                            : Html("Every table was protected against disclosure and independently audited before "
                                   "publication; suppressed cells show as x."),
                         tables.empty() ? (nl ? Html("<p>Nog geen tabellen gepubliceerd.</p>") : Html("<p>No tables published yet.</p>"))
                                        : html("<ul>\n{}</ul>", items));
  return layout(m, nl ? Html("Cijfers") : Html("Figures"), body).str();
}

std::string render_figure(Language language, const std::string& name, const std::string& table_json, bool chart_available) {
  const Messages& m = messages(language);
  const bool nl = language == Language::kDutch;
  const auto table = nlohmann::json::parse(table_json, nullptr, false);
  if (table.is_discarded() || !table.contains("dimensions") || !table.contains("cells")) {
    return render_error_page(language, 500, nl ? "tabel onleesbaar" : "table unreadable");
  }
  const auto& dims = table["dimensions"];
  int year = -1;
  for (std::size_t d = 0; d < dims.size(); ++d) {
    if (dims[d]["name"] == "year") year = static_cast<int>(d);
  }
  int rows_dim = -1;
  for (std::size_t d = 0; d < dims.size() && rows_dim < 0; ++d) {
    if (static_cast<int>(d) != year) rows_dim = static_cast<int>(d);
  }
  std::map<std::string, const nlohmann::json*> cells;
  for (const auto& cell : table["cells"]) {
    std::string key;
    for (const auto& k : cell["key"]) key += k.get<std::string>() + '\x1f';
    cells[key] = &cell;
  }
  std::vector<std::string> roots;
  for (const auto& d : dims) roots.push_back(d["codes"][0]["code"].get<std::string>());
  const auto cell_at = [&](const std::vector<std::string>& key) -> Html {
    std::string joined;
    for (const auto& k : key) joined += k + '\x1f';
    const auto it = cells.find(joined);
    if (it == cells.end()) return Html("<td class=\"num\">&ndash;</td>");
    const auto& value = (*it->second)["value"];
    if (value.is_null()) return Html("<td class=\"num x\" title=\"onderdrukt / suppressed\">x</td>");
    return html("<td class=\"num\">{}</td>", Html::escape(std::to_string(value.get<std::int64_t>())));
  };
  std::vector<std::string> columns;  // Year codes, total last.
  if (year >= 0) {
    for (const auto& c : dims[static_cast<std::size_t>(year)]["codes"]) {
      if (!c["parent"].is_null()) columns.push_back(c["code"].get<std::string>());
    }
    columns.push_back(roots[static_cast<std::size_t>(year)]);
  }
  Html head = html("<th scope=\"col\">{}</th>", rows_dim >= 0 ? Html::escape(dims[static_cast<std::size_t>(rows_dim)]["name"].get<std::string>()) : Html(""));
  for (const auto& c : columns) {
    head += html("<th scope=\"col\" class=\"num\">{}</th>", Html::escape(c == roots[static_cast<std::size_t>(year)] ? (nl ? "totaal" : "total") : c));
  }
  if (year < 0) head += html("<th scope=\"col\" class=\"num\">{}</th>", nl ? Html("aantal") : Html("count"));
  Html body_rows;
  if (rows_dim >= 0) {
    const auto& codes = dims[static_cast<std::size_t>(rows_dim)]["codes"];
    std::map<std::string, int> depth;
    for (const auto& c : codes) {
      depth[c["code"].get<std::string>()] = c["parent"].is_null() ? 0 : depth[c["parent"].get<std::string>()] + 1;
    }
    for (const auto& c : codes) {
      const std::string code = c["code"].get<std::string>();
      Html row = html("<tr class=\"level-{}\"><th scope=\"row\">{}</th>", Html::escape(std::to_string(std::min(depth[code], 2))),
                      Html::escape(c["label"].get<std::string>()));
      std::vector<std::string> key = roots;
      key[static_cast<std::size_t>(rows_dim)] = code;
      if (year < 0) row += cell_at(key);
      for (const auto& y : columns) {
        key[static_cast<std::size_t>(year)] = y;
        row += cell_at(key);
      }
      body_rows += row + Html("</tr>\n");
    }
  }
  Html notes;
  for (const auto& f : table.value("footnotes", nlohmann::json::array())) notes += html("<li>{}</li>", Html::escape(f.get<std::string>()));
  std::string sources;
  for (const auto& s : table.value("sources", nlohmann::json::array())) sources += (sources.empty() ? "" : ", ") + s.get<std::string>();
  const std::string title = table.value(nl ? "title" : "title_en", name);
  const Html escaped_name = Html::escape(name);
  const Html body = html(R"(<p><a href="/cijfers?lang={}">{}</a></p>
<h1>{}</h1>
<p class="panel">{} {}. {} {}. {} {}.</p>
{}
<div class="scroll"><table>
<caption class="muted">{}</caption>
<thead><tr>{}</tr></thead>
<tbody>
{}</tbody>
</table></div>
<ul class="muted">{}</ul>
<p>{} <a href="/cijfers/{}.csv">CSV</a> · <a href="/cijfers/{}.xlsx">Excel</a> · <a href="/api/v1/tables/{}">JSON</a></p>
{})",
      text(m.lang), nl ? Html("Alle cijfers") : Html("All figures"), Html::escape(title),
      nl ? Html("Bronnen:") : Html("Sources:"), Html::escape(sources), nl ? Html("Gepubliceerd") : Html("Published"),
      Html::escape(table.value("date", "")), nl ? Html("Minimumfrequentie") : Html("Minimum frequency"),
      Html::escape(std::to_string(table["rule"].value("min_frequency", 0))),
      chart_available ? html("<div id=\"chart\" class=\"chart\" data-table=\"{}\" role=\"img\" aria-label=\"{}\"></div>", escaped_name,
                             Html::escape(title))
                      : Html(""),
      nl ? Html("Andere dimensies op hun totaal; x = onderdrukt.") : Html("Other dimensions at their totals; x = suppressed."),
      head, body_rows, notes, nl ? Html("Downloaden:") : Html("Download:"), escaped_name, escaped_name, escaped_name,
      chart_available ? Html("<script src=\"/static/vendor/echarts.min.js\"></script>\n<script src=\"/static/figures.js\"></script>") : Html(""));
  return layout(m, Html::escape(title), body).str();
}

std::string render_layout(Language language, const Html& title, const Html& body) {
  return layout(messages(language), title, body).str();
}

std::string render_error_page(Language language, int status, std::string_view message) {
  const Messages& m = messages(language);
  const Html body = html("<h1>{}</h1>\n<p>{}</p>", Html::escape(std::to_string(status)),
                         Html::escape(message));
  return layout(m, Html::escape(std::to_string(status)), body).str();
}

}  // namespace rapporteur::web::internal
