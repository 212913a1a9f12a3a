// The public estimate pages: /schattingen (per mandate the trend over the years) and
// /schattingen/<id> (one estimate with its strata, method, caveats and provenance). Only
// published records (app/published_estimate.h) reach them.
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "web/internal/estimate_text.h"
#include "web/internal/html.h"

namespace rapporteur::web::internal {
namespace {

Html number(Language language, double value, int decimals = 0) {
  return Html::escape(format_number(language, value, decimals));
}
const char* code(Language language) { return dutch(language) ? "nl" : "en"; }

std::string mandate_name(Language language, const std::string& mandate) {
  if (mandate == "human_trafficking") return dutch(language) ? "mensenhandel" : "human trafficking";
  if (mandate == "sexual_violence_against_children") {
    return dutch(language) ? "seksueel geweld tegen kinderen" : "sexual violence against children";
  }
  return mandate;
}

std::string method_description(Language language, const app::PublishedEstimate& e) {
  if (!dutch(language)) return e.method_description;
  if (e.method == "recommended") {
    return fmt::format("gemiddelde over {} log-lineaire modellen met AIC-gewichten (meervoudige-systeemschatting)",
                       e.model_count);
  }
  if (e.method == "selected") return "één gekozen log-lineair model met zijn profiel-aannemelijkheidsinterval";
  if (e.method == "latent-class")
    return "latente-klassenmodel (Manrique-Vallier 2016), mediaan met geloofwaardigheidsinterval";
  return e.method_description;
}

// "3.168 (2.654 – 3.844)" with an open bound as "> 3.844" / "< 2.654".
Html figure_cells(Language language, const app::PublishedFigure& f) {
  if (!f.estimable) {
    return html("<td class=\"num\">{}</td><td colspan=\"3\">{}: {}</td>",
                number(language, static_cast<double>(f.registered)), t(language, "niet te schatten", "not estimable"),
                Html::escape(f.reason));
  }
  const Html low = f.low_open ? html("&lt; {}", number(language, f.low)) : number(language, f.low);
  const Html high = f.high_open ? html("&gt; {}", number(language, f.high)) : number(language, f.high);
  return html(
      "<td class=\"num\">{}</td><td class=\"num\"><strong>{}</strong></td><td class=\"num\">{} – {}</td><td "
      "class=\"num\">{}</td>",
      number(language, static_cast<double>(f.registered)), number(language, f.total), low, high,
      f.registered > 0 ? number(language, f.total / static_cast<double>(f.registered), 1) : Html("–"));
}

Html figure_head(Language language, const Html& first) {
  return html(
      "<tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th>"
      "<th scope=\"col\" class=\"num\">{}</th><th scope=\"col\" class=\"num\">{}</th></tr>",
      first, t(language, "Geregistreerd", "Registered"), t(language, "Schatting", "Estimate"),
      t(language, "95%-interval", "95% interval"), t(language, "Verhouding tot geregistreerd", "Ratio to registered"));
}

Html caveats(Language language) {
  return html(
      "<p>{}</p>",
      t(language,
        "Een schatting van het aantal slachtoffers dat geen enkele bron zag, berust op aannames over hoe de bronnen "
        "samenhangen. Zijn sommige slachtoffers voor alle bronnen minder zichtbaar, dan valt de schatting te laag uit "
        "en "
        "is het interval te smal; in de simulatiestudie kon geen methode dat geheel opvangen. Lees het interval als de "
        "onzekerheid die de gegevens laten zien, niet als een garantie.",
        "An estimate of the victims no source saw rests on assumptions about how the sources relate. When some "
        "victims are less visible to every source, the estimate is too low and its interval too narrow; in the "
        "simulation study no method captured that fully. Read the interval as the uncertainty the data show, not "
        "as a guarantee."));
}

Html ratio_sentence(Language language, const app::PublishedFigure& n) {
  const Html ratio = n.registered > 0 ? number(language, n.total / static_cast<double>(n.registered), 1) : Html("–");
  const Html registered = number(language, static_cast<double>(n.registered));
  if (dutch(language)) {
    return html("De beste schatting is {}. Dat is {} keer het aantal geregistreerde slachtoffers ({}).",
                number(language, n.total), ratio, registered);
  }
  return html("The best estimate is {}. That is {} times the number of registered victims ({}).",
              number(language, n.total), ratio, registered);
}

}  // namespace

std::string render_estimates(Language language, const std::vector<app::PublishedEstimate>& estimates,
                             bool chart_available) {
  // Per mandate, the trend: per year the whole-country figure, from the record without strata
  // when there is one.
  std::map<std::string, std::map<int, const app::PublishedEstimate*>> trend;
  for (const auto& e : estimates) {
    auto& slot = trend[e.mandate][e.year];
    if (slot == nullptr || (!slot->by.empty() && e.by.empty())) slot = &e;
  }
  Html sections;
  for (const auto& [mandate, years] : trend) {
    Html rows;
    nlohmann::json chart = nlohmann::json::array();
    for (auto it = years.rbegin(); it != years.rend(); ++it) {
      const app::PublishedEstimate& e = *it->second;
      rows +=
          html("<tr><th scope=\"row\"><a href=\"/schattingen/{}?lang={}\">{}</a></th>{}</tr>\n", Html::escape(e.id),
               Html::escape(code(language)), Html::escape(std::to_string(e.year)), figure_cells(language, e.national));
    }
    for (const auto& [year, e] : years) {
      chart.push_back({{"year", year},
                       {"registered", e->national.registered},
                       {"total", e->national.total},
                       {"low", e->national.low},
                       {"high", e->national.high},
                       {"high_open", e->national.high_open}});
    }
    const app::PublishedEstimate& latest = *years.rbegin()->second;
    const std::string name = mandate_name(language, mandate);
    sections += html(
        R"(<section aria-labelledby="m-{}"><h2 id="m-{}">{}</h2>
<p class="panel">{} {}: {}.</p>
{}<div class="scroll"><table>
<thead>{}</thead>
<tbody>
{}</tbody>
</table></div>
</section>
)",
        Html::escape(mandate), Html::escape(mandate), Html::escape(name), Html::escape(std::to_string(latest.year)),
        Html::escape(name), Html::escape(interval_in_words(language, latest.national)),
        chart_available
            ? html("<div class=\"chart estimate-trend\" data-trend=\"{}\" data-lang=\"{}\" role=\"img\" "
                   "aria-label=\"{}\"></div>\n",
                   Html::escape(chart.dump()), Html::escape(code(language)),
                   dutch(language)
                       ? Html("Schattingen per jaar met 95%-interval en het aantal geregistreerde slachtoffers")
                       : Html("Estimates per year with their 95% interval and the registered victims"))
            : Html(""),
        figure_head(language, t(language, "Jaar", "Year")), rows);
  }
  const Html body = html(
      R"(<h1>{}</h1>
<p>{}</p>
{}{}
<p><a href="/api/v1/estimates">{}</a></p>
{})",
      t(language, "Schattingen", "Estimates"),
      t(language,
        "Hoeveel slachtoffers zijn er werkelijk, ook als geen enkele instantie ze zag? Met "
        "meervoudige-systeemschatting vergelijken we welke slachtoffers door welke bronnen werden "
        "geregistreerd, en schatten we het aantal dat buiten beeld bleef. Hier staan alleen de schattingen "
        "die een onderzoeker heeft gekozen om te publiceren.",
        "How many victims are there really, including those no agency saw? Multiple systems estimation "
        "compares which victims which sources registered and estimates how many stayed out of sight. Only the "
        "estimates a researcher chose to publish are shown."),
      estimates.empty()
          ? html("<p>{}</p>", t(language, "Nog geen schattingen gepubliceerd.", "No estimates published yet."))
          : sections,
      estimates.empty() ? Html("") : caveats(language),
      t(language, "Dezelfde schattingen als open data (JSON)", "The same estimates as open data (JSON)"),
      chart_available && !estimates.empty() ? Html("<script src=\"/static/vendor/echarts.min.js\"></script>\n<script "
                                                   "src=\"/static/estimates.js\"></script>")
                                            : Html(""));
  return render_layout(language, t(language, "Schattingen", "Estimates"), body);
}

std::string render_estimate(Language language, const app::PublishedEstimate& e) {
  const std::string name = mandate_name(language, e.mandate);
  const app::PublishedFigure& n = e.national;
  Html summary = html("<p class=\"panel\"><strong>{} {}: {}.</strong> {}</p>", Html::escape(std::to_string(e.year)),
                      Html::escape(name), Html::escape(interval_in_words(language, n)), ratio_sentence(language, n));
  Html strata;
  if (!e.strata.empty()) {
    Html rows;
    for (const auto& s : e.strata) {
      rows += html("<tr><th scope=\"row\">{}</th>{}</tr>\n", Html::escape(s.stratum), figure_cells(language, s));
    }
    rows += html("<tr class=\"total\"><th scope=\"row\">{}</th>{}</tr>\n",
                 t(language, "Heel Nederland", "The Netherlands"), figure_cells(language, n));
    strata = html(
        R"(<h2>{} {}</h2>
<div class="scroll"><table><thead>{}</thead><tbody>
{}</tbody></table></div>
<p class="muted">{} {}. {}</p>
)",
        t(language, "Naar", "By"), Html::escape(e.by), figure_head(language, t(language, "Stratum", "Stratum")), rows,
        t(language, "Som van de schattingen per stratum:", "Sum of the strata's estimates:"),
        number(language, e.sum_of_strata),
        t(language, "De landelijke schatting is apart gemaakt op alle strata samen; haar interval is het landelijke.",
          "The national estimate is made separately on all strata together; its interval is the national one."));
  }
  Html warnings;
  for (const auto& w : e.warnings) {
    warnings += html("<li>{}</li>\n", Html::escape(describe_warning(language, w.code, w.values, w.text)));
  }
  Html models;
  for (const auto& m : e.models) {
    models += html("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                   Html::escape(m.terms.empty() ? (dutch(language) ? "onafhankelijkheid" : "independence") : m.terms),
                   number(language, m.weight, 3), number(language, m.total));
  }
  if (e.model_count > static_cast<int>(e.models.size())) {
    models += html("<tr><td>{} {} {}</td><td class=\"num\">{}</td><td></td></tr>\n", t(language, "en", "and"),
                   Html::escape(std::to_string(e.model_count - static_cast<int>(e.models.size()))),
                   t(language, "andere modellen samen", "other models together"), number(language, e.other_weight, 3));
  }
  Html batches;
  for (const auto& b : e.provenance.batches) {
    batches += html("<li>{} {} ({} {}; SHA-256 <code>{}</code>)</li>\n", t(language, "levering", "batch"),
                    Html::escape(std::to_string(b.id)), Html::escape(b.source),
                    number(language, static_cast<double>(b.rows_loaded)), t(language, "regels", "rows"),
                    Html::escape(b.file_sha256));
  }
  const auto& p = e.provenance;
  Html linkage;
  if (!p.linkage_method.empty()) {
    linkage =
        html("<li>{}: {} ({} {}, {} {})</li>\n", t(language, "Koppeling", "Linkage"), Html::escape(p.linkage_method),
             number(language, static_cast<double>(p.registrations)), t(language, "registraties", "registrations"),
             number(language, static_cast<double>(p.persons)), t(language, "personen", "persons"));
    if (p.linkage_method == "probabilistic") {
      linkage +=
          html("<li>{}: {} {}, {} {}, {} {}, {} {}</li>\n", t(language, "Koppelparameters", "Linkage parameters"),
               t(language, "drempel", "threshold"), number(language, p.match_threshold, 2),
               t(language, "clustersteun", "cluster support"), number(language, p.cluster_support, 2),
               t(language, "EM-iteraties", "EM iterations"), Html::escape(std::to_string(p.em_iterations)),
               t(language, "seed", "seed"), Html::escape(std::to_string(p.linkage_seed)));
    }
  }
  if (!p.table_file.empty()) {
    linkage += html("<li>{}: {} (SHA-256 <code>{}</code>)</li>\n", t(language, "Tabel", "Table"),
                    Html::escape(p.table_file), Html::escape(p.table_file_sha256));
  }
  const Html body =
      html(R"(<p><a href="/schattingen?lang={}">{}</a></p>
<h1>{} {} {}</h1>
{}
{}<h2>{}</h2>
<p>{}</p>
{}
{}
{}<h2>{}</h2>
<ul>
<li>{}: {}</li>
{}{}<li>{}: {}</li>
<li>{}: {}</li>
<li>{}: {}</li>
</ul>
<p><a href="/api/v1/estimates/{}">JSON</a></p>)",
           Html::escape(code(language)), t(language, "Alle schattingen", "All estimates"),
           t(language, "Schatting", "Estimate"), Html::escape(name), Html::escape(std::to_string(e.year)), summary,
           strata, t(language, "Methode", "Method"), Html::escape(method_description(language, e)),
           models.str().empty()
               ? Html("")
               : html("<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" class=\"num\">{}</th><th "
                      "scope=\"col\" class=\"num\">{}</th></tr></thead><tbody>\n{}</tbody></table>",
                      t(language, "Model", "Model"), t(language, "Gewicht", "Weight"),
                      t(language, "Schatting", "Estimate"), models),
           caveats(language),
           warnings.str().empty()
               ? Html("")
               : html("<h2>{}</h2>\n<ul class=\"warnings\">\n{}</ul>\n",
                      t(language, "Kanttekeningen bij deze schatting", "Caveats of this estimate"), warnings),
           t(language, "Herkomst", "Provenance"), t(language, "Gepubliceerd", "Published"),
           Html::escape(e.published_on), batches, linkage, t(language, "Seed", "Seed"),
           Html::escape(std::to_string(e.seed)), t(language, "Software", "Software"),
           Html::escape("rapporteur " + e.software_version), t(language, "Modelkeuze", "Model choice"),
           Html::escape(e.criterion + (e.bootstrap > 0 ? fmt::format(", bootstrap {}", e.bootstrap) : "")),
           Html::escape(e.id));
  return render_layout(language,
                       html("{} {}", t(language, "Schatting", "Estimate"), Html::escape(std::to_string(e.year))), body);
}

}  // namespace rapporteur::web::internal
