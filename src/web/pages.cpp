#include <algorithm>
#include <map>

#include <nlohmann/json.hpp>

#include "web/internal/html.h"
#include "web/internal/labels.h"
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

const Messages& messages(Language language) { return language == Language::kDutch ? kDutch : kEnglish; }

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
<nav aria-label="menu"><a href="/cijfers?lang={}">{}</a> · <a href="/kaart?lang={}">{}</a> · <a href="/schattingen?lang={}">{}</a> · <a href="/zoeken?lang={}">{}</a> · <a href="/aanbevelingen?lang={}">{}</a> · <a href="/open-data?lang={}">Open data</a> · <a href="/?lang={}" hreflang="{}" lang="{}">{}</a></nav>
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
              std::string_view(m.lang) == "nl" ? Html("Kaart") : Html("Map"), text(m.lang),
              std::string_view(m.lang) == "nl" ? Html("Schattingen") : Html("Estimates"), text(m.lang),
              std::string_view(m.lang) == "nl" ? Html("Kennisbank") : Html("Knowledge base"), text(m.lang),
              std::string_view(m.lang) == "nl" ? Html("Aanbevelingen") : Html("Recommendations"), text(m.lang),
              text(m.other_lang), text(m.other_lang), text(m.other_lang), text(m.switch_label), body, text(m.footer));
}

}  // namespace

Language language_of(std::string_view parameter) { return parameter == "en" ? Language::kEnglish : Language::kDutch; }

std::string render_home(Language language, const std::vector<Source>& sources,
                        const std::vector<Publication>& publications, const std::vector<KeyFigure>& figures,
                        bool chart_available) {
  const Messages& m = messages(language);
  const bool nl = language == Language::kDutch;
  constexpr std::size_t kLatest = 6;
  Html items;
  for (std::size_t i = 0; i < publications.size() && i < kLatest; ++i) {
    const Publication& p = publications[i];
    items += html(
        "<li><a href=\"/publicaties/{}?lang={}\">{}</a> <span class=\"muted\">{} · <time "
        "datetime=\"{}\">{}</time></span></li>\n",
        Html::escape(p.slug), text(m.lang), Html::escape(p.title), label(language, to_code(p.type)),
        Html::escape(p.date), Html::escape(format_date(language, p.date)));
  }
  Html publication_list =
      publications.empty()
          ? html("<p>{}</p>", text(m.no_publications))
          : html("<ul class=\"latest\">\n{}</ul>\n<p><a href=\"/zoeken?sort=date&amp;lang={}\">{}</a></p>", items,
                 text(m.lang), nl ? Html("Alle publicaties") : Html("All publications"));
  Html source_items;
  for (const Source& s : sources) source_items += html("<li>{}</li>\n", Html::escape(s.name));
  Html cards;
  nlohmann::json labels = nlohmann::json::array();
  nlohmann::json series = nlohmann::json::array();
  for (const KeyFigure& f : figures) {
    if (f.years.empty()) continue;
    if (labels.empty()) {
      for (const auto& [year, value] : f.years) labels.push_back(year);
    }
    nlohmann::json data = nlohmann::json::array();
    for (const auto& [year, value] : f.years) data.push_back(value ? nlohmann::json(*value) : nlohmann::json(nullptr));
    series.push_back({{"name", nl ? f.title_nl : f.title_en}, {"data", data}});
    const auto& [year, value] = f.years.back();
    Html change;
    if (f.years.size() >= 2 && value && f.years[f.years.size() - 2].second) {
      const std::int64_t before = *f.years[f.years.size() - 2].second;
      const std::int64_t delta = *value - before;
      change = html(" <span class=\"muted\">({}{} {} {})</span>", Html::escape(delta > 0 ? "+" : ""),
                    Html::escape(format_number(language, delta)), nl ? Html("t.o.v.") : Html("compared with"),
                    Html::escape(f.years[f.years.size() - 2].first));
    }
    cards += html(
        "<div class=\"figure\"><p class=\"big\">{}</p><p>{} {} {}{}</p><p><a "
        "href=\"/cijfers/{}?lang={}\">{}</a></p></div>\n",
        Html::escape(value ? format_number(language, *value) : "x"), Html::escape(nl ? f.title_nl : f.title_en),
        nl ? Html("in") : Html("in"), Html::escape(year), change, Html::escape(f.table), text(m.lang),
        nl ? Html("Naar de tabel") : Html("To the table"));
  }
  const nlohmann::json chart = {{"kind", "line"}, {"labels", labels}, {"series", series}};
  const Html figures_section =
      cards.str().empty()
          ? Html("")
          : html(
                R"(<section aria-labelledby="key-figures"><h2 id="key-figures">{}</h2>
<div class="figures">
{}</div>
{}<p class="muted">{} <a href="/cijfers?lang={}">{}</a></p>
</section>
)",
                nl ? Html("Kerncijfers") : Html("Key figures"), cards,
                chart_available
                    ? html("<div id=\"chart\" class=\"chart\" data-chart=\"{}\" data-lang=\"{}\" role=\"img\" "
                           "aria-label=\"{}\"></div>\n",
                           Html::escape(chart.dump()), text(m.lang),
                           nl ? Html("Geregistreerde slachtoffers per jaar") : Html("Registered victims per year"))
                    : Html(""),
                nl ? Html("Personen gekoppeld over bronnen, eenmaal per jaar geteld; uit de gepubliceerde, beveiligde "
                          "tabellen.")
                   : Html(
                         "Persons linked across sources, counted once per year; from the published, protected tables."),
                text(m.lang), nl ? Html("Alle cijfers") : Html("All figures"));
  const Html body = html(
      R"(<h1>{}</h1>
<p class="panel">{}</p>
<form role="search" action="/zoeken" method="get" class="search-row home-search">
<label for="home-q" class="visually-hidden">{}</label>
<input id="home-q" name="q" type="search" placeholder="{}">
<input type="hidden" name="lang" value="{}">
<button type="submit">{}</button>
</form>
{}<section aria-labelledby="publications"><h2 id="publications">{}</h2>
{}
</section>
<section aria-labelledby="sources"><h2 id="sources">{}</h2>
<ul>
{}</ul>
</section>
<p><a href="/open-data?lang={}">{}</a></p>
{})",
      text(m.tagline), text(m.intro), nl ? Html("Zoek in de kennisbank") : Html("Search the knowledge base"),
      nl ? Html("Zoek in publicaties en aanbevelingen") : Html("Search publications and recommendations"), text(m.lang),
      nl ? Html("Zoeken") : Html("Search"), figures_section, text(m.publications), publication_list, text(m.sources),
      source_items, text(m.lang), text(m.api),
      chart_available && !cards.str().empty()
          ? Html(
                "<script src=\"/static/vendor/echarts.min.js\"></script>\n<script src=\"/static/figures.js\"></script>")
          : Html(""));
  return layout(m, text(m.title), body).str();
}

std::string render_layout(Language language, const Html& title, const Html& body) {
  return layout(messages(language), title, body).str();
}

std::string render_error_page(Language language, int status, std::string_view message) {
  const Messages& m = messages(language);
  const Html body = html("<h1>{}</h1>\n<p>{}</p>", Html::escape(std::to_string(status)), Html::escape(message));
  return layout(m, Html::escape(std::to_string(status)), body).str();
}

}  // namespace rapporteur::web::internal
