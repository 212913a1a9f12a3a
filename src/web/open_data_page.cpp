// The open-data page: the public API read from its OpenAPI document (each endpoint, its
// parameters and their values with their words) and the definitions of the tables'
// dimensions, server-rendered so it needs no script.
#include <nlohmann/json.hpp>

#include "web/internal/html.h"
#include "web/internal/labels.h"
#include "web/internal/pages.h"

namespace rapporteur::web::internal {
namespace {

struct Definition {
  const char* name;
  const char* nl;
  const char* en;
};

constexpr Definition kDefinitions[] = {
    {"year",
     "Het jaar van registratie. Een persoon telt eenmaal per jaar; 'alle jaren' telt de personen per jaar op "
     "(persoonsjaren).",
     "The year of registration. A person counts once per year; 'all years' sums the persons per year (person-years)."},
    {"region",
     "Drie niveaus: Nederland, de tien eenheden van de Nationale Politie en de gemeenten binnen elke eenheid. Een "
     "gemeente en een "
     "eenheid kunnen dezelfde naam dragen (Amsterdam, Rotterdam): de eenheid is de hele regio. 'Gemeente onbekend' "
     "telt "
     "personen zonder bekende woon- of registratiegemeente.",
     "Three levels: the Netherlands, the ten units of the National Police and the municipalities within each unit. A "
     "municipality and a unit can share a name (Amsterdam, Rotterdam): the unit is the whole region. 'Municipality "
     "unknown' "
     "counts persons without a known municipality."},
    {"form",
     "De vorm van uitbuiting (mensenhandel: seksueel, arbeid, crimineel, overig) of, bij seksueel geweld tegen "
     "kinderen, het "
     "soort delict (hands-on, afbeeldingen, grooming, sextortion).",
     "The form of exploitation (human trafficking: sexual, labour, criminal, other) or, for sexual violence against "
     "children, "
     "the kind of offence (hands-on, abuse material, grooming, sextortion)."},
    {"sex", "Geslacht zoals de bron het registreerde: vrouw, man, overig of onbekend.",
     "Sex as the source registered it: female, male, other or unknown."},
    {"age", "Minderjarig (jonger dan 18) of meerderjarig op de datum van registratie.",
     "Minor (under 18) or adult on the date of registration."},
    {"stage",
     "Het verste stadium in de strafrechtketen dat een bron van een verdachte registreerde: melding, inschrijving bij "
     "het OM, "
     "vervolging, veroordeling.",
     "The furthest stage of the criminal-justice chain any source recorded for a suspect: report, registration by the "
     "prosecution, prosecution, conviction."},
};

Html parameter_values(Language language, const nlohmann::json& schema) {
  if (!schema.contains("enum")) return Html("");
  Html values;
  for (const auto& v : schema["enum"]) {
    if (!v.is_string()) continue;
    const std::string code = v.get<std::string>();
    const Html word = label(language, code);
    values += word.str() == Html::escape(code).str() ? html("<code>{}</code> ", Html::escape(code))
                                                     : html("<code>{}</code> ({}) ", Html::escape(code), word);
  }
  return html("<br><span class=\"muted\">{}</span> {}", t(language, "Waarden:", "Values:"), values);
}

}  // namespace

std::string render_open_data(Language language, std::string_view openapi_json) {
  const auto spec = nlohmann::json::parse(openapi_json, nullptr, false);
  Html endpoints;
  if (!spec.is_discarded() && spec.contains("paths")) {
    for (const auto& [path, methods] : spec["paths"].items()) {
      for (const auto& [method, operation] : methods.items()) {
        Html parameters;
        for (const auto& p : operation.value("parameters", nlohmann::json::array())) {
          parameters +=
              html("<tr><th scope=\"row\"><code>{}</code></th><td>{}</td><td>{}{}</td></tr>\n",
                   Html::escape(p.value("name", "")),
                   Html::escape(p.value("in", "") == "path" ? (dutch(language) ? "in het pad" : "in the path")
                                                            : (dutch(language) ? "in de query" : "in the query")),
                   Html::escape(p.value("description", "")),
                   parameter_values(language, p.value("schema", nlohmann::json::object())));
        }
        const bool linkable = path.find('{') == std::string::npos;
        endpoints += html(R"(<section class="endpoint"><h3><span class="method">{}</span> {}</h3>
<p>{}</p>
{}</section>
)",
                          Html::escape(method == "get" ? "GET" : method),
                          linkable ? html("<a href=\"{}\"><code>{}</code></a>", Html::escape(path), Html::escape(path))
                                   : html("<code>{}</code>", Html::escape(path)),
                          Html::escape(operation.value("summary", "")),
                          parameters.str().empty()
                              ? Html("")
                              : html("<div class=\"scroll\" tabindex=\"0\"><table><thead><tr><th "
                                     "scope=\"col\">{}</th><th scope=\"col\">{}</th><th "
                                     "scope=\"col\">{}</th></tr></thead>\n<tbody>\n{}</tbody></table></div>\n",
                                     t(language, "Parameter", "Parameter"), t(language, "Waar", "Where"),
                                     t(language, "Betekenis", "Meaning"), parameters));
      }
    }
  }
  Html definitions;
  for (const Definition& d : kDefinitions) {
    definitions += html("<dt>{} <code>{}</code></dt><dd>{}</dd>\n", Html::escape(dimension_name(language, d.name)),
                        Html::escape(d.name), Html::escape(dutch(language) ? d.nl : d.en));
  }
  const Html body =
      html(R"(<h1>{}</h1>
<p class="panel">{}</p>
<p>{} <a href="/api/v1/openapi.json">openapi.json</a> (OpenAPI 3.0). <a href="/open-data/viewer?lang={}">{}</a></p>
<section aria-labelledby="endpoints"><h2 id="endpoints">{}</h2>
{}</section>
<section aria-labelledby="dimensions"><h2 id="dimensions">{}</h2>
<p>{}</p>
<dl class="definitions">
{}</dl>
</section>)",
           t(language, "Open data", "Open data"),
           t(language,
             "Alle gepubliceerde tabellen, publicaties en aanbevelingen zijn vrij te gebruiken via een openbare, "
             "alleen-lezen JSON-API. Microdata worden nooit geleverd: tabellen zijn beveiligd tegen onthulling "
             "(x of null = onderdrukt).",
             "Every published table, publication and recommendation is free to use through a public, read-only "
             "JSON API. Microdata are never served: tables are protected against disclosure (x or null = "
             "suppressed)."),
           t(language, "De machineleesbare beschrijving:", "The machine-readable description:"),
           Html(dutch(language) ? "nl" : "en"),
           t(language, "Probeer de API uit in de interactieve weergave", "Try the API in the interactive viewer"),
           t(language, "Eindpunten", "Endpoints"), endpoints,
           t(language, "Dimensies van de tabellen", "The tables' dimensions"),
           t(language,
             "Elke tabel telt personen, gekoppeld over bronnen, naar een aantal van deze dimensies; elke "
             "dimensie heeft een totaal als wortel.",
             "Every table counts persons, linked across sources, by some of these dimensions; every dimension "
             "has a total at its root."),
           definitions);
  return render_layout(language, t(language, "Open data", "Open data"), body);
}

std::string render_open_data_viewer(Language language, bool viewer_available) {
  const Html intro =
      t(language,
        "De openbare API in Swagger UI: elk eindpunt met zijn parameters en antwoorden; met \"Try it out\" "
        "stuurt u een verzoek en ziet u het antwoord. De weergave zelf is Engelstalig.",
        "The public API in Swagger UI: every endpoint with its parameters and responses; \"Try it out\" sends a "
        "request and shows the answer.");
  const Html body =
      viewer_available
          ? html(R"(<link rel="stylesheet" href="/static/vendor/swagger-ui.css">
<link rel="stylesheet" href="/static/openapi-viewer.css">
<p><a href="/open-data?lang={}">{}</a></p>
<h1>{}</h1>
<p class="panel">{}</p>
<div id="swagger-ui" data-url="/api/v1/openapi.json"></div>
<script src="/static/vendor/swagger-ui-bundle.js"></script>
<script src="/static/openapi-viewer.js"></script>)",
                 Html(dutch(language) ? "nl" : "en"), t(language, "« Open data", "« Open data"),
                 t(language, "Open data-API, interactief", "Open data API, interactive"), intro)
          : html("<h1>{}</h1>\n<p>{} <a href=\"/open-data?lang={}\">{}</a></p>",
                 t(language, "Open data-API, interactief", "Open data API, interactive"),
                 t(language, "De interactieve weergave is in deze installatie niet beschikbaar.",
                   "The interactive viewer is not available in this installation."),
                 Html(dutch(language) ? "nl" : "en"), t(language, "Naar de beschrijving", "To the description"));
  return render_layout(language, t(language, "Open data-API, interactief", "Open data API, interactive"), body);
}

}  // namespace rapporteur::web::internal
