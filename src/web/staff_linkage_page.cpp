// The staff linkage page: a year's linkage report (links per weight band as a chart, the
// model's own precision, blocking counts, overlap per source pair, clusters by size, and the
// export of person ids by record reference) and the people found again across years and roles
// (victims registered before, suspects who are victims too). Counts and model figures only.
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "web/internal/labels.h"
#include "web/internal/staff_pages.h"

namespace rapporteur::web::internal {
namespace {

using nlohmann::json;

Html num(Language language, std::int64_t value) { return Html::escape(format_number(language, value)); }

Html option(const std::string& value, const std::string& chosen, const Html& label) {
  return html("<option value=\"{}\"{}>{}</option>", Html::escape(value), chosen == value ? Html(" selected") : Html(""),
              label);
}

Html year_options(const std::vector<int>& years, const std::string& chosen) {
  Html options;
  for (const int y : years) options += option(std::to_string(y), chosen, Html::escape(std::to_string(y)));
  return options;
}

Html mandate_options(Language language, const std::string& chosen) {
  return option("human_trafficking", chosen, t(language, "mensenhandel", "human trafficking")) +
         option("sexual_violence_against_children", chosen,
                t(language, "seksueel geweld tegen kinderen", "sexual violence against children"));
}

Html method_options(Language language, const std::string& chosen) {
  return option("probabilistic", chosen, t(language, "probabilistisch", "probabilistic")) +
         option("deterministic", chosen, t(language, "exacte sleutels", "exact keys"));
}

Html year_report(Language language, const LinkageForm& form, const app::LinkageReport& r) {
  const bool probabilistic = r.method == app::LinkageMethod::kProbabilistic;
  json bands = json::array();
  for (const auto& b : r.bands) bands.push_back({{"from", b.from}, {"to", b.to}, {"links", b.links}});
  Html facts = html(
      "<dt>{}</dt><dd class=\"num\" id=\"linkage-registrations\">{}</dd><dt>{}</dt><dd class=\"num\" "
      "id=\"linkage-persons\">{}</dd><dt>{}</dt><dd class=\"num\">{}</dd>",
      t(language, "Registraties", "Registrations"), num(language, r.registrations), t(language, "Personen", "Persons"),
      num(language, r.persons),
      t(language, "Alleen zwak koppelbaar (naam zonder id of geboortedatum)",
        "Only weakly linkable (a name without id or date of birth)"),
      num(language, r.weakly_linkable));
  if (probabilistic) {
    facts += html(
        "<dt>{}</dt><dd class=\"num\">{}</dd><dt>{}</dt><dd class=\"num\">{}</dd><dt>{}</dt><dd class=\"num\" "
        "id=\"linkage-precision\">{}</dd><dt>{}</dt><dd class=\"num\">{}</dd><dt>{}</dt><dd>{}</dd>",
        t(language, "Kandidaatparen", "Candidate pairs"), num(language, r.candidate_pairs),
        t(language, "Koppelingen", "Links"), num(language, r.links),
        t(language, "Precisie volgens het model", "Precision by the model"),
        Html::escape(fmt::format("{:.3f}", r.expected_precision)),
        t(language, "Dubbele registraties binnen één bron", "Duplicates within one source"),
        num(language, r.duplicates), t(language, "EM", "EM"),
        html("{} {}{}", num(language, r.em_iterations), t(language, "iteraties", "iterations"),
             r.converged ? t(language, ", geconvergeerd", ", converged")
                         : t(language, ", niet geconvergeerd", ", not converged")));
    facts += html("<dt>{}</dt><dd class=\"num\" id=\"linkage-decisions\">{}</dd><dt>{}</dt><dd class=\"num\">{}</dd>",
                  t(language, "Beslissingen uit de beoordeling toegepast", "Review decisions applied"),
                  num(language, r.decisions_applied),
                  t(language, "Beslissingen genegeerd (registratie verdwenen)", "Decisions ignored (record gone)"),
                  num(language, r.decisions_ignored));
  }
  Html overlaps;
  for (const auto& o : r.overlaps) {
    overlaps += html("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n", Html::escape(o.first),
                     Html::escape(o.second), num(language, o.persons));
  }
  Html per_source;
  for (const auto& [source, persons] : r.persons_per_source) {
    per_source += html("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", Html::escape(source), num(language, persons));
  }
  Html sizes;
  for (const auto& [size, clusters] : r.clusters_by_size) {
    sizes += html("<tr><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n", num(language, size),
                  num(language, clusters));
  }
  Html blocking;
  for (const auto& b : r.blocking) {
    blocking += html("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", Html::escape(b.rule), num(language, b.pairs));
  }
  const std::string export_link = fmt::format("/api/v1/staff/linkage/export?year={}&mandate={}&role={}&method={}",
                                              form.year, form.mandate, form.role, form.method);
  const Html chart =
      probabilistic && !r.bands.empty()
          ? html(
                "<h3>{}</h3>\n<div id=\"linkage-bands\" class=\"chart\" data-bands=\"{}\" role=\"img\" "
                "aria-label=\"{}\"></div>\n",
                t(language, "Koppelingen per gewichtsband", "Links per weight band"), Html::escape(bands.dump()),
                t(language, "Aantal koppelingen per band van het log2-gewicht",
                  "Number of links per band of the log2 weight"))
          : Html("");
  return html(
      R"(<section class="panel" aria-labelledby="linkage-year"><h2 id="linkage-year">{} {}</h2>
{}<dl class="facts">{}</dl>
{}<h3>{}</h3>
<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th><th scope="col" class="num">{}</th></tr></thead><tbody>
{}</tbody></table>
<h3>{}</h3>
<table><thead><tr><th scope="col">{}</th><th scope="col" class="num">{}</th></tr></thead><tbody>
{}</tbody></table>
<h3>{}</h3>
<table><thead><tr><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th></tr></thead><tbody>
{}</tbody></table>
{}<p><a href="{}" download>{}</a></p>
</section>
)",
      t(language, "Koppeling van", "Linkage of"), Html::escape(form.year),
      r.note.empty() ? Html("") : html("<p class=\"note\">{}</p>\n", Html::escape(r.note)), facts, chart,
      t(language, "Overlap per paar bronnen", "Overlap per pair of sources"), t(language, "Bron", "Source"),
      t(language, "Bron", "Source"), t(language, "Personen in beide", "Persons in both"), overlaps,
      t(language, "Personen per bron", "Persons per source"), t(language, "Bron", "Source"),
      t(language, "Personen", "Persons"), per_source, t(language, "Clusters naar grootte", "Clusters by size"),
      t(language, "Registraties", "Registrations"), t(language, "Clusters", "Clusters"), sizes,
      r.blocking.empty() ? Html("")
                         : html("<h3>{}</h3>\n<table><thead><tr><th scope=\"col\">{}</th><th scope=\"col\" "
                                "class=\"num\">{}</th></tr></thead><tbody>\n{}</tbody></table>\n",
                                t(language, "Blokkeerregels", "Blocking rules"), t(language, "Regel", "Rule"),
                                t(language, "Paren", "Pairs"), blocking),
      Html::escape(export_link),
      t(language, "Persoonsnummers per registratie van de bron (CSV)", "Person ids per source record (CSV)"));
}

Html across_report(Language language, const app::CrossLinkReport& r) {
  json years = json::array();
  Html rows;
  for (const auto& y : r.years) {
    years.push_back({{"year", y.year},
                     {"victims", y.victims},
                     {"victims_seen_before", y.victims_seen_before},
                     {"suspects", y.suspects},
                     {"suspects_also_victims", y.suspects_also_victims}});
    rows += html(
        "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
        "class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        Html::escape(std::to_string(y.year)), num(language, y.victims), num(language, y.victims_seen_before),
        num(language, y.suspects), num(language, y.suspects_seen_before), num(language, y.suspects_also_victims));
  }
  Html forms;
  for (const auto& [form, count] : r.victims_and_suspects_by_form) {
    forms += html("<li>{}: {}</li>", label(language, form), num(language, count));
  }
  return html(
      R"(<section class="panel" aria-labelledby="linkage-across"><h2 id="linkage-across">{} {}–{}</h2>
{}<p>{}</p>
<div id="linkage-across-chart" class="chart" data-years="{}" role="img" aria-label="{}"></div>
<table id="linkage-across-table"><thead><tr><th scope="col">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th></tr></thead><tbody>
{}</tbody></table>
<dl class="facts"><dt>{}</dt><dd class="num" id="linkage-several-years">{}</dd><dt>{}</dt><dd class="num" id="linkage-both-roles">{}</dd></dl>
{}</section>
)",
      t(language, "Opnieuw gevonden", "Found again"), Html::escape(std::to_string(r.first_year)),
      Html::escape(std::to_string(r.last_year)),
      r.note.empty() ? Html("") : html("<p class=\"note\">{}</p>\n", Html::escape(r.note)),
      html("{} {} {} {}.", num(language, r.registrations),
           t(language, "registraties gekoppeld tot", "registrations linked into"), num(language, r.persons),
           t(language, "personen", "persons")),
      Html::escape(years.dump()),
      t(language, "Slachtoffers, van wie eerder geregistreerd, verdachten en van wie ook slachtoffer, per jaar",
        "Victims, of whom registered before, suspects and of whom also victims, per year"),
      t(language, "Jaar", "Year"), t(language, "Slachtoffers", "Victims"),
      t(language, "van wie eerder als slachtoffer", "of whom a victim before"), t(language, "Verdachten", "Suspects"),
      t(language, "van wie eerder als verdachte", "of whom a suspect before"),
      t(language, "van wie ook slachtoffer", "of whom also a victim"), rows,
      t(language, "Slachtoffers in meer dan één jaar", "Victims in more than one year"),
      num(language, r.victims_in_several_years),
      t(language, "Zowel slachtoffer als verdachte", "Both victim and suspect"), num(language, r.victims_and_suspects),
      r.victims_and_suspects_by_form.empty()
          ? Html("")
          : html("<p>{}</p><ul>{}</ul>\n",
                 t(language,
                   "Van hen, naar uitbuitingsvorm als slachtoffer:", "Of them, by form of exploitation as a victim:"),
                 forms));
}

}  // namespace

std::string render_linkage(Language language, const StaffViewer& viewer, const std::vector<int>& years,
                           const LinkageForm& form, const LinkageOutcome& outcome) {
  const Html error =
      outcome.error.empty()
          ? Html("")
          : html("<p class=\"panel error\" role=\"alert\" id=\"linkage-error\">{}</p>\n", Html::escape(outcome.error));
  const std::string first = form.first_year.empty() && !years.empty() ? std::to_string(years.front()) : form.first_year;
  const std::string last = form.last_year.empty() && !years.empty() ? std::to_string(years.back()) : form.last_year;
  const Html body = html(
      R"(<h1>{}</h1>
<p>{}</p>
<p><a href="/staff/koppeling/beoordeling" id="review-link">{}</a></p>
{}<div class="columns">
<form method="get" action="/staff/koppeling" class="panel">
<h2>{}</h2>
<p><label for="year">{}</label><br><select id="year" name="year">{}</select></p>
<p><label for="mandate">{}</label><br><select id="mandate" name="mandate">{}</select></p>
<p><label for="role">{}</label><br><select id="role" name="role">{}</select></p>
<p><label for="method">{}</label><br><select id="method" name="method">{}</select></p>
<p><button type="submit">{}</button></p>
</form>
<form method="get" action="/staff/koppeling" class="panel">
<h2>{}</h2>
<p><label for="first_year">{}</label><br><select id="first_year" name="first_year">{}</select></p>
<p><label for="last_year">{}</label><br><select id="last_year" name="last_year">{}</select></p>
<p><label for="across_mandate">{}</label><br><select id="across_mandate" name="mandate">{}</select></p>
<p><label for="across_method">{}</label><br><select id="across_method" name="method">{}</select></p>
<p><button type="submit">{}</button></p>
</form>
</div>
{}{}<script src="/static/vendor/echarts.min.js"></script><script src="/static/staff.js"></script>
)",
      t(language, "Koppeling", "Linkage"),
      t(language,
        "Hoe registraties tot personen zijn gekoppeld: de cijfers van het model en de overlap tussen bronnen, en wie "
        "over jaren en rollen opnieuw wordt gevonden. Alleen aantallen; geen gegevens van personen.",
        "How registrations were linked into persons: the model's figures and the overlap between sources, and who is "
        "found again across years and roles. Counts only; no data of persons."),
      t(language, "Beoordeling van twijfelparen (paren rond de drempel)",
        "Clerical review of uncertain pairs (near the threshold)"),
      error, t(language, "Eén jaar", "One year"), t(language, "Jaar", "Year"),
      year_options(years, form.year.empty() ? last : form.year), t(language, "Mandaat", "Mandate"),
      mandate_options(language, form.mandate), t(language, "Rol", "Role"),
      option("victim", form.role, t(language, "slachtoffers", "victims")) +
          option("suspect", form.role, t(language, "verdachten", "suspects")),
      t(language, "Methode", "Method"), method_options(language, form.method), t(language, "Koppelen", "Link"),
      t(language, "Over jaren en rollen", "Across years and roles"), t(language, "Van", "From"),
      year_options(years, first), t(language, "Tot en met", "To"), year_options(years, last),
      t(language, "Mandaat", "Mandate"), mandate_options(language, form.mandate), t(language, "Methode", "Method"),
      method_options(language, form.method), t(language, "Koppelen over jaren", "Link across years"),
      outcome.report != nullptr ? year_report(language, form, *outcome.report) : Html(""),
      outcome.across != nullptr ? across_report(language, *outcome.across) : Html(""));
  return render_staff_page(language, viewer, t(language, "Koppeling", "Linkage"), body);
}

}  // namespace rapporteur::web::internal
