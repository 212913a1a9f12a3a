// The staff page for disclosure control of a table from outside the store: the upload form with
// the rule's options, and a protection's counts, audit and published pattern. Only the
// published pattern is shown: a suppressed cell appears as 'x', never with its count.
#include <fmt/format.h>

#include "web/internal/staff_pages.h"

namespace rapporteur::web::internal {
namespace {

Html num(std::int64_t value) { return Html::escape(std::to_string(value)); }

Html published(const app::SdcProtectResult& result, std::size_t cell) {
  return sdc::is_suppressed(result.status[cell]) ? Html("x") : num(result.table.values[cell]);
}

// A code indented by its depth in the hierarchy (the total flush left).
Html code_label(const sdc::Dimension& dim, std::size_t code) {
  int depth = 0;
  for (int p = dim.parents[code]; p >= 0; p = dim.parents[static_cast<std::size_t>(p)]) ++depth;
  Html indent;
  for (int d = 0; d < depth; ++d) indent += Html("&nbsp;&nbsp;");
  return indent + Html::escape(dim.codes[code]);
}

// Two dimensions as a cross table (the first down, the second across); any other number as
// one row per cell.
Html pattern_table(Language language, const app::SdcProtectResult& result) {
  const auto& table = result.table;
  if (table.dimensions.size() == 2) {
    const auto& rows = table.dimensions[0];
    const auto& columns = table.dimensions[1];
    Html head = html("<th scope=\"col\">{} \\ {}</th>", Html::escape(rows.name), Html::escape(columns.name));
    for (std::size_t c = 0; c < columns.codes.size(); ++c)
      head += html("<th scope=\"col\" class=\"num\">{}</th>", code_label(columns, c));
    Html body;
    for (std::size_t r = 0; r < rows.codes.size(); ++r) {
      Html cells;
      for (std::size_t c = 0; c < columns.codes.size(); ++c) {
        cells += html("<td class=\"num\">{}</td>",
                      published(result, table.index({static_cast<int>(r), static_cast<int>(c)})));
      }
      body += html("<tr><th scope=\"row\">{}</th>{}</tr>\n", code_label(rows, r), cells);
    }
    return html(
        "<div class=\"scroll\" tabindex=\"0\"><table "
        "class=\"sdc-pattern\"><thead><tr>{}</tr></thead><tbody>\n{}</tbody></table></div>",
        head, body);
  }
  Html head;
  for (const auto& dim : table.dimensions) head += html("<th scope=\"col\">{}</th>", Html::escape(dim.name));
  Html body;
  for (std::size_t i = 0; i < table.values.size(); ++i) {
    Html cells;
    for (std::size_t d = 0; const int p : table.positions(i)) {
      cells += html("<td>{}</td>", code_label(table.dimensions[d++], static_cast<std::size_t>(p)));
    }
    body += html("<tr>{}<td class=\"num\">{}</td></tr>\n", cells, published(result, i));
  }
  return html(
      "<div class=\"scroll\" tabindex=\"0\"><table class=\"sdc-pattern\"><thead><tr>{}<th scope=\"col\" "
      "class=\"num\">{}</th></tr></thead><tbody>\n{}</tbody></table></div>",
      head, t(language, "Waarde", "Value"), body);
}

Html result_section(Language language, const app::SdcProtectResult& result, const std::string& download) {
  const auto& audit = result.audit;
  const Html audit_text =
      audit.passed()
          ? html("{} ({}: {})", t(language, "Doorstaan: 0 overtredingen", "Passed: 0 violations"),
                 t(language, "exact te herleiden secundaire cellen met een veilige waarde",
                   "secondary cells exactly recoverable with a safe value"),
                 num(audit.exact_secondaries))
          : html("{}: {}", t(language, "Niet doorstaan; overtredingen", "Failed; violations"), num(audit.violations));
  Html downloads;
  if (!download.empty()) {
    downloads =
        html("<p>{}: <a href=\"{}.csv\" download>CSV</a> · <a href=\"{}.json\" download>JSON</a></p>\n",
             t(language, "Patroon downloaden", "Download the pattern"), Html::escape(download), Html::escape(download));
  }
  return html(
      R"(<section class="panel" aria-labelledby="sdc-result"><h2 id="sdc-result">{}</h2>
<dl class="facts">
<dt>{}</dt><dd class="num" id="sdc-cells">{}</dd>
<dt>{}</dt><dd class="num" id="sdc-primary">{}</dd>
<dt>{}</dt><dd class="num" id="sdc-secondary">{}</dd>
<dt>{}</dt><dd id="sdc-audit">{}</dd>
</dl>
{}<h3>{}</h3>
<p>{}</p>
{}</section>
)",
      t(language, "Resultaat", "Result"), t(language, "Cellen", "Cells"),
      num(static_cast<std::int64_t>(result.table.values.size())),
      t(language, "Primair onderdrukt", "Primary suppressions"), num(result.protection.primary_cells),
      t(language, "Secundair onderdrukt", "Secondary suppressions"), num(result.protection.secondary_cells),
      t(language, "Onafhankelijke controle", "Independent audit"), audit_text, downloads,
      t(language, "Te publiceren patroon", "Pattern to publish"),
      t(language, "x: onderdrukt. Gedeelde randtotalen tellen één keer.", "x: suppressed. Shared margins count once."),
      pattern_table(language, result));
}

Html option(const char* value, const std::string& chosen, Html label) {
  return html("<option value=\"{}\"{}>{}</option>", Html::escape(value), chosen == value ? Html(" selected") : Html(""),
              label);
}

}  // namespace

std::string render_sdc_protect(Language language, const StaffViewer& viewer, const SdcForm& form,
                               const SdcOutcome& outcome) {
  const Html zeros =
      option("", form.zeros,
             t(language, "zoals het bestand zegt (standaard: veilig)", "as the file says (default: safe)")) +
      option("safe", form.zeros, t(language, "veilig: gepubliceerd", "safe: published")) +
      option("secondary", form.zeros, t(language, "mag andere cellen afschermen", "may hide other cells")) +
      option("unsafe", form.zeros, t(language, "onveilig zoals kleine aantallen", "unsafe like small counts"));
  const Html error = outcome.error.empty() ? Html("")
                                           : html("<p class=\"panel error\" role=\"alert\" id=\"sdc-error\">{}</p>\n",
                                                  Html::escape(outcome.error));
  const Html body =
      html(R"(<h1>{}</h1>
<p>{}</p>
{}<form method="post" action="/staff/beveiliging" enctype="multipart/form-data" class="panel">
<input type="hidden" name="csrf" value="{}">
<p><label for="file">{}</label><br><input id="file" name="file" type="file" accept=".json" required></p>
<p><label for="min_frequency">{}</label><br><input id="min_frequency" name="min_frequency" type="number" min="1" value="{}"></p>
<p><label for="percent">{}</label><br><input id="percent" name="percent" type="number" min="0" max="100" step="any" value="{}"></p>
<p><label for="min_level">{}</label><br><input id="min_level" name="min_level" type="number" min="0" value="{}"></p>
<p><label for="zeros">{}</label><br><select id="zeros" name="zeros">{}</select></p>
<p><button type="submit">{}</button></p>
</form>
{})",
           t(language, "Tabel van buiten beveiligen", "Protect an outside table"),
           t(language,
             "Upload een tabel in het JSON-formaat van data/sdc/README.md (dimensies met hun hiërarchie en cellen met "
             "hun ware waarde), "
             "tot 2.000 cellen. De tabel wordt beveiligd met celonderdrukking en onafhankelijk gecontroleerd; "
             "lege velden nemen de regel uit het bestand, anders de standaard.",
             "Upload a table in the JSON format of data/sdc/README.md (dimensions with their hierarchy and cells with "
             "their true value), "
             "up to 2,000 cells. The table is protected by cell suppression and audited independently; empty fields "
             "take the "
             "file's rule, else the default."),
           error, Html::escape(viewer.csrf), t(language, "Tabel (JSON)", "Table (JSON)"),
           t(language, "Minimumfrequentie: cellen met 1 tot dit aantal min 1 zijn onveilig (standaard 10)",
             "Minimum frequency: cells of 1 up to this number minus 1 are unsafe (default 10)"),
           Html::escape(form.min_frequency),
           t(language, "Beschermingsniveau in procenten van de waarde (standaard 30)",
             "Protection level as a percentage of the value (default 30)"),
           Html::escape(form.percent),
           t(language, "Beschermingsniveau van ten minste zoveel eenheden (standaard 1)",
             "Protection level of at least this many units (default 1)"),
           Html::escape(form.min_level), t(language, "Nulcellen", "Zero cells"), zeros,
           t(language, "Beveiligen en controleren", "Protect and audit"),
           outcome.result != nullptr ? result_section(language, *outcome.result, outcome.download) : Html(""));
  return render_staff_page(language, viewer, t(language, "Tabel van buiten beveiligen", "Protect an outside table"),
                           body);
}

}  // namespace rapporteur::web::internal
