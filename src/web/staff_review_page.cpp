// The staff page of the clerical review (/staff/koppeling/beoordeling): the pairs of a year's
// probabilistic linkage near the threshold, each with its agreement level per field (never a
// value) and a small form to decide it; works without JavaScript.
#include <fmt/format.h>

#include "web/internal/labels.h"
#include "web/internal/staff_pages.h"

namespace rapporteur::web::internal {
namespace {

// A decimal in the page's language: a decimal comma in Dutch.
std::string decimal(Language language, double value, int digits) {
  std::string text = fmt::format("{:.{}f}", value, digits);
  if (dutch(language)) {
    for (char& c : text) {
      if (c == '.') c = ',';
    }
  }
  return text;
}

Html field_name(Language language, const std::string& field) {
  if (field == "first_name") return t(language, "Voornaam", "First name");
  if (field == "last_name") return t(language, "Achternaam", "Last name");
  if (field == "birth_date") return t(language, "Geboortedatum", "Date of birth");
  if (field == "national_id") return t(language, "Identificatienummer", "Id number");
  if (field == "sex") return t(language, "Geslacht", "Sex");
  if (field == "nationality") return t(language, "Nationaliteit", "Nationality");
  if (field == "region") return t(language, "Regio", "Region");
  return Html::escape(field);
}

Html agreement_text(Language language, const app::FieldAgreement& a) {
  switch (a.agreement) {
    case app::Agreement::kMissing:
      return t(language, "ontbreekt", "missing");
    case app::Agreement::kDisagree:
      return t(language, "verschillend", "different");
    case app::Agreement::kSimilar:
      return a.dice_to >= 1.0
                 ? html("{} (Dice ≥ {})", t(language, "lijkend", "similar"),
                        Html::escape(decimal(language, a.dice_from, 2)))
                 : html("{} (Dice {}–{})", t(language, "lijkend", "similar"),
                        Html::escape(decimal(language, a.dice_from, 2)), Html::escape(decimal(language, a.dice_to, 2)));
    case app::Agreement::kExact:
    case app::Agreement::kEqual:
      return t(language, "gelijk", "equal");
    case app::Agreement::kDayMonthSwapped:
      return t(language, "dag en maand verwisseld", "day and month swapped");
    case app::Agreement::kTwoOfThree:
      return t(language, "twee van jaar, maand en dag gelijk (of jaar ±1)",
               "two of year, month and day equal (or year ±1)");
    case app::Agreement::kYearOnly:
      return t(language, "alleen het jaar gelijk", "only the year equal");
  }
  return Html("");
}

Html decision_text(Language language, store::ReviewDecision decision) {
  switch (decision) {
    case store::ReviewDecision::kMatch:
      return t(language, "zelfde persoon", "same person");
    case store::ReviewDecision::kNonMatch:
      return t(language, "verschillende personen", "different persons");
    case store::ReviewDecision::kUnsure:
      return t(language, "weet niet", "unsure");
  }
  return Html("");
}

Html option(const std::string& value, const std::string& chosen, const Html& label) {
  return html("<option value=\"{}\"{}>{}</option>", Html::escape(value), chosen == value ? Html(" selected") : Html(""),
              label);
}

Html pair_panel(Language language, const StaffViewer& viewer, const LinkageForm& form, const app::ReviewPair& p) {
  Html rows;
  for (const auto& f : p.fields) {
    rows += html("<tr><th scope=\"row\">{}</th><td>{}</td></tr>\n", field_name(language, f.field),
                 agreement_text(language, f));
  }
  const Html current = p.decision ? html("<p class=\"decided\">{}: {} ({})</p>\n", t(language, "Beoordeeld", "Decided"),
                                         decision_text(language, *p.decision), Html::escape(p.decided_by))
                                  : Html("");
  return html(
      R"(<section class="panel review-pair" id="pair-{}" aria-labelledby="pair-{}-title">
<h2 id="pair-{}-title">{} {} · {} &amp; {}</h2>
<p>{} {} · {} {}</p>
{}<table><thead><tr><th scope="col">{}</th><th scope="col">{}</th></tr></thead><tbody>
{}</tbody></table>
<form method="post" action="/staff/koppeling/beoordeling">
<input type="hidden" name="csrf" value="{}"><input type="hidden" name="year" value="{}"><input type="hidden" name="mandate" value="{}"><input type="hidden" name="role" value="{}"><input type="hidden" name="limit" value="{}"><input type="hidden" name="from" value="{}"><input type="hidden" name="to" value="{}"><input type="hidden" name="pair" value="{}">
<p><button type="submit" name="decision" value="match">{}</button> <button type="submit" name="decision" value="non-match">{}</button> <button type="submit" name="decision" value="unsure">{}</button></p>
</form>
</section>
)",
      Html::escape(p.reference), Html::escape(p.reference), Html::escape(p.reference), t(language, "Paar", "Pair"),
      Html::escape(p.reference), Html::escape(p.first_source), Html::escape(p.second_source),
      t(language, "Koppelkans", "Match probability"), Html::escape(decimal(language, p.probability, 3)),
      t(language, "gewicht (log2)", "weight (log2)"), Html::escape(decimal(language, p.weight, 2)), current,
      t(language, "Veld", "Field"), t(language, "Overeenkomst", "Agreement"), rows, Html::escape(viewer.csrf),
      Html::escape(form.year), Html::escape(form.mandate), Html::escape(form.role), Html::escape(form.limit),
      Html::escape(form.from), Html::escape(form.to), Html::escape(p.reference),
      t(language, "Zelfde persoon", "Same person"), t(language, "Verschillende personen", "Different persons"),
      t(language, "Weet niet", "Unsure"));
}

}  // namespace

std::string render_linkage_review(Language language, const StaffViewer& viewer, const std::vector<int>& years,
                                  const LinkageForm& form, const ReviewOutcome& outcome) {
  Html year_options;
  const std::string chosen = form.year.empty() && !years.empty() ? std::to_string(years.back()) : form.year;
  for (const int y : years) year_options += option(std::to_string(y), chosen, Html::escape(std::to_string(y)));
  const Html error =
      outcome.error.empty()
          ? Html("")
          : html("<p class=\"panel error\" role=\"alert\" id=\"review-error\">{}</p>\n", Html::escape(outcome.error));
  const Html saved = outcome.saved.empty() ? Html("")
                                           : html(
                                                 "<p class=\"panel notice\" role=\"status\" id=\"review-saved\">{} {} "
                                                 "{}</p>\n",
                                                 t(language, "Beslissing over", "Decision on"),
                                                 Html::escape(outcome.saved), t(language, "opgeslagen.", "saved."));
  Html list;
  if (const app::ReviewList* r = outcome.list; r != nullptr) {
    list +=
        html("<p id=\"review-summary\">{} {} {} {} {} {}; {} {}.</p>\n",
             t(language, "Paren met een koppelkans van", "Pairs with a match probability from"),
             Html::escape(decimal(language, r->band.from, 2)), t(language, "tot", "to"),
             Html::escape(decimal(language, r->band.to, 2)), t(language, "(drempel", "(threshold"),
             html("{}): <span class=\"num\" id=\"review-in-band\">{}</span>",
                  Html::escape(decimal(language, r->threshold, 2)), Html::escape(format_number(language, r->in_band))),
             Html::escape(format_number(language, r->decided)), t(language, "beoordeeld", "decided"));
    if (!r->note.empty()) list += html("<p class=\"note\">{}</p>\n", Html::escape(r->note));
    for (const auto& p : r->pairs) list += pair_panel(language, viewer, form, p);
  }
  const Html body = html(
      R"(<h1>{}</h1>
<p>{}</p>
<p><a href="/staff/koppeling">{}</a></p>
{}{}<form method="get" action="/staff/koppeling/beoordeling" class="panel">
<p><label for="year">{}</label><br><select id="year" name="year">{}</select></p>
<p><label for="mandate">{}</label><br><select id="mandate" name="mandate">{}</select></p>
<p><label for="role">{}</label><br><select id="role" name="role">{}</select></p>
<p><label for="limit">{}</label><br><input id="limit" name="limit" type="number" min="1" max="500" value="{}"></p>
<p><label for="from">{}</label><br><input id="from" name="from" type="number" min="0" max="1" step="0.01" value="{}"></p>
<p><label for="to">{}</label><br><input id="to" name="to" type="number" min="0" max="1" step="0.01" value="{}"></p>
<p><button type="submit">{}</button></p>
</form>
{})",
      t(language, "Beoordeling van twijfelparen", "Clerical review of uncertain pairs"),
      t(language,
        "Paren registraties waarvan het model niet zeker is of ze één persoon zijn, de onzekerste eerst. Per veld "
        "staat "
        "alleen hoe goed de twee overeenkomen, nooit een naam, datum of nummer. De volgende koppeling volgt uw "
        "beslissing: zelfde persoon houdt het paar samen, verschillende personen houdt het uit elkaar.",
        "Pairs of registrations the model is unsure are one person, the most uncertain first. Per field only how well "
        "the two agree is shown, never a name, date or number. The next linkage follows your decision: same person "
        "keeps the pair together, different persons keeps it apart."),
      t(language, "Terug naar de koppeling", "Back to the linkage"), error, saved, t(language, "Jaar", "Year"),
      year_options, t(language, "Mandaat", "Mandate"),
      option("human_trafficking", form.mandate, t(language, "mensenhandel", "human trafficking")) +
          option("sexual_violence_against_children", form.mandate,
                 t(language, "seksueel geweld tegen kinderen", "sexual violence against children")),
      t(language, "Rol", "Role"),
      option("victim", form.role, t(language, "slachtoffers", "victims")) +
          option("suspect", form.role, t(language, "verdachten", "suspects")),
      t(language, "Hoeveel paren", "How many pairs"), Html::escape(form.limit),
      t(language, "Koppelkans vanaf", "Match probability from"), Html::escape(form.from),
      t(language, "Koppelkans tot en met", "Match probability up to"), Html::escape(form.to),
      t(language, "Tonen", "Show"), list);
  return render_staff_page(language, viewer, t(language, "Beoordeling van twijfelparen", "Clerical review"), body);
}

}  // namespace rapporteur::web::internal
