#include <algorithm>
#include <map>

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
<nav aria-label="menu"><a href="/cijfers?lang={}">{}</a> · <a href="/zoeken?lang={}">{}</a> · <a href="/aanbevelingen?lang={}">{}</a> · <a href="/?lang={}" hreflang="{}" lang="{}">{}</a></nav>
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
