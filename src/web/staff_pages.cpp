// Staff workspace pages: sign-in, dashboard, uploads and batches, estimates, tables, the
// knowledge base editor, users and the audit log. Every form carries the session's CSRF token.
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/money.h"
#include "web/internal/estimate_text.h"
#include "web/internal/html.h"
#include "web/internal/labels.h"
#include "web/internal/staff_pages.h"

namespace rapporteur::web::internal {
namespace {

Html num(std::int64_t value) { return Html::escape(std::to_string(value)); }

Html csrf_field(const std::string& csrf) {
  return html("<input type=\"hidden\" name=\"csrf\" value=\"{}\">", Html::escape(csrf));
}

Html staff_nav(Language language, const StaffViewer& viewer) {
  Html links = html("<a href=\"/staff\">{}</a>", t(language, "Overzicht", "Overview"));
  if (viewer.researcher) {
    links += html(
        " · <a href=\"/staff/intake\">{}</a> · <a href=\"/staff/schatten\">{}</a> · <a href=\"/staff/tabellen\">{}</a>"
        " · <a href=\"/staff/koppeling\">{}</a> · <a href=\"/staff/beveiliging\">{}</a>",
        t(language, "Bronnen laden", "Load sources"), t(language, "Schatten", "Estimate"),
        t(language, "Tabellen", "Tables"), t(language, "Koppeling", "Linkage"),
        t(language, "Tabel van buiten beveiligen", "Protect an outside table"));
  }
  if (viewer.editor) {
    links += html(" · <a href=\"/staff/kennisbank\">{}</a> · <a href=\"/staff/verantwoording\">{}</a>",
                  t(language, "Kennisbank", "Knowledge base"), t(language, "Verantwoording", "Yearly account"));
  }
  if (viewer.admin) {
    links += html(" · <a href=\"/staff/gebruikers\">{}</a> · <a href=\"/staff/audit\">{}</a>",
                  t(language, "Gebruikers", "Users"), t(language, "Logboek", "Audit log"));
  }
  // The switch sets the language for the following pages too (a cookie).
  links += dutch(language) ? Html(" · <a href=\"/staff?lang=en\" hreflang=\"en\" lang=\"en\">English</a>")
                           : Html(" · <a href=\"/staff?lang=nl\" hreflang=\"nl\" lang=\"nl\">Nederlands</a>");
  return html(R"(<nav class="panel staff-nav" aria-label="{}">{}
<form method="post" action="/afmelden" class="inline">{}<span class="muted">{} ({})</span> <button type="submit">{}</button></form></nav>
)",
              t(language, "Werkruimte", "Workspace"), links, csrf_field(viewer.csrf), Html::escape(viewer.name),
              Html::escape(viewer.role), t(language, "Afmelden", "Sign out"));
}

std::string page(Language language, const StaffViewer& viewer, const Html& title, const Html& body) {
  return render_layout(language, title, staff_nav(language, viewer) + body);
}

}  // namespace

std::string render_staff_page(Language language, const StaffViewer& viewer, const Html& title, const Html& body) {
  return page(language, viewer, title, body);
}

std::string render_sign_in(Language language, const std::string& csrf, std::string_view message,
                           const std::string& back) {
  const Html body =
      html(R"(<h1>{}</h1>
{}<form method="post" action="/aanmelden" class="panel narrow">
{}<input type="hidden" name="terug" value="{}">
<p><label for="name">{}</label><br><input id="name" name="name" autocomplete="username" required></p>
<p><label for="password">{}</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
<p><button type="submit">{}</button></p>
</form>)",
           t(language, "Aanmelden", "Sign in"),
           message.empty() ? Html("") : html("<p class=\"panel error\" role=\"alert\">{}</p>\n", Html::escape(message)),
           csrf_field(csrf), Html::escape(back), t(language, "Naam", "Name"), t(language, "Wachtwoord", "Password"),
           t(language, "Aanmelden", "Sign in"));
  return render_layout(language, t(language, "Aanmelden", "Sign in"), body);
}

std::string render_staff_home(Language language, const StaffViewer& viewer, const std::vector<JobView>& jobs) {
  Html rows;
  for (const auto& job : jobs) {
    rows +=
        html("<tr><td><a href=\"/staff/jobs/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>\n", num(job.id),
             Html::escape(job.title), Html::escape(job.owner), Html::escape(job.started), label(language, job.status));
  }
  const Html body = html(
      R"(<h1>{}</h1>
<p>{}</p>
<h2>{}</h2>
<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>
{}</tbody></table>)",
      t(language, "Werkruimte", "Workspace"),
      t(language,
        "Laad bronnen, bekijk afgekeurde regels, maak schattingen, beveilig en publiceer tabellen en beheer de "
        "kennisbank.",
        "Load sources, review rejected rows, run estimates, protect and publish tables and manage the knowledge base."),
      t(language, "Taken", "Jobs"), t(language, "Taak", "Job"), t(language, "Door", "By"),
      t(language, "Gestart", "Started"), t(language, "Status", "Status"),
      rows.str().empty() ? html("<tr><td colspan=\"4\">{}</td></tr>\n", t(language, "Nog geen taken.", "No jobs yet."))
                         : rows);
  return page(language, viewer, t(language, "Werkruimte", "Workspace"), body);
}

std::string render_intake(Language language, const StaffViewer& viewer, const std::vector<std::string>& profiles,
                          const std::vector<store::Batch>& batches) {
  Html options;
  for (const auto& p : profiles) options += html("<option value=\"{}\">{}</option>", Html::escape(p), Html::escape(p));
  Html rows;
  for (auto it = batches.rbegin(); it != batches.rend(); ++it) {
    const auto& b = *it;
    rows += html(
        "<tr><td><a href=\"/staff/batches/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td><code>{}</code></td></tr>\n",
        num(b.id), num(b.id), Html::escape(b.source_code), num(b.year), Html::escape(b.file_name), num(b.rows_read),
        num(b.rows_loaded), num(b.rows_rejected),
        b.status == store::BatchStatus::kActive ? t(language, "actief", "active")
                                                : t(language, "vervangen", "replaced"),
        Html::escape(b.file_sha256.substr(0, 12)));
  }
  const Html body =
      html(R"(<h1>{}</h1>
<form method="post" action="/staff/intake" enctype="multipart/form-data" class="panel">
{}<p><label for="profile">{}</label><br><select id="profile" name="profile" required>{}</select></p>
<p><label for="year">{}</label><br><input id="year" name="year" type="number" min="1990" max="2100" required></p>
<p><label for="file">{}</label><br><input id="file" name="file" type="file" accept=".csv,.txt,.xlsx" required></p>
<p><label><input type="checkbox" name="replace" value="1"> {}</label></p>
<p><button type="submit">{}</button></p>
</form>
<h2>{}</h2>
<div class="scroll" tabindex="0"><table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th class="num">{}</th><th class="num">{}</th><th class="num">{}</th><th>{}</th><th>SHA-256</th></tr></thead><tbody>
{}</tbody></table></div>)",
           t(language, "Bronnen laden", "Load sources"), csrf_field(viewer.csrf),
           t(language, "Bronprofiel", "Source profile"), options, t(language, "Registratiejaar", "Registration year"),
           t(language, "Bestand (CSV of XLSX)", "File (CSV or XLSX)"),
           t(language, "Vervang de actieve levering van deze bron en dit jaar",
             "Replace the active batch of this source and year"),
           t(language, "Laden", "Load"), t(language, "Leveringen", "Batches"), t(language, "Nr", "No"),
           t(language, "Bron", "Source"), t(language, "Jaar", "Year"), t(language, "Bestand", "File"),
           t(language, "Gelezen", "Read"), t(language, "Geladen", "Loaded"), t(language, "Afgekeurd", "Rejected"),
           t(language, "Status", "Status"), rows);
  return page(language, viewer, t(language, "Bronnen laden", "Load sources"), body);
}

std::string render_batch(Language language, const StaffViewer& viewer, const store::Batch& batch,
                         const std::vector<store::RowError>& errors) {
  Html rows;
  for (const auto& e : errors) {
    rows += html("<tr><td class=\"num\">{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", num(e.row),
                 Html::escape(e.column), Html::escape(e.value), Html::escape(e.reason));
  }
  const Html body = html(R"(<p><a href="/staff/intake">{}</a></p>
<h1>{} {}</h1>
<p class="panel">{} {} · {} {} · {} · {}: {}, {}: {}, {}: {}<br>{}</p>
<h2>{}</h2>
<div class="scroll" tabindex="0"><table><thead><tr><th class="num">{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>
{}</tbody></table></div>)",
                         t(language, "« Leveringen", "« Batches"), t(language, "Levering", "Batch"), num(batch.id),
                         t(language, "Bron", "Source"), Html::escape(batch.source_code), t(language, "jaar", "year"),
                         num(batch.year), Html::escape(batch.file_name), t(language, "gelezen", "read"),
                         num(batch.rows_read), t(language, "geladen", "loaded"), num(batch.rows_loaded),
                         t(language, "afgekeurd", "rejected"), num(batch.rows_rejected), Html::escape(batch.reader),
                         t(language, "Afgekeurde regels", "Rejected rows"), t(language, "Regel", "Row"),
                         t(language, "Kolom", "Column"), t(language, "Waarde", "Value"), t(language, "Reden", "Reason"),
                         rows.str().empty() ? html("<tr><td colspan=\"4\">{}</td></tr>\n",
                                                   t(language, "Geen afgekeurde regels.", "No rejected rows."))
                                            : rows);
  return page(language, viewer, t(language, "Levering", "Batch"), body);
}

std::string render_estimate_form(Language language, const StaffViewer& viewer, const std::vector<int>& years) {
  Html year_options;
  for (auto it = years.rbegin(); it != years.rend(); ++it) year_options += html("<option>{}</option>", num(*it));
  const Html body =
      html(R"(<h1>{}</h1>
<form method="post" action="/staff/schatten" class="panel">
{}<p><label for="year">{}</label><br><select id="year" name="year">{}</select></p>
<p><label for="mandate">{}</label><br><select id="mandate" name="mandate"><option value="human_trafficking">{}</option><option value="sexual_violence_against_children">{}</option></select></p>
<p><label for="by">{}</label><br><select id="by" name="by"><option value="">{}</option><option value="form">{}</option><option value="sex">{}</option><option value="age">{}</option><option value="region">{}</option></select></p>
<p><label for="criterion">{}</label><br><select id="criterion" name="criterion"><option>bic</option><option>aic</option></select></p>
<p><label for="bootstrap">{}</label><br><select id="bootstrap" name="bootstrap"><option value="0">{}</option><option>200</option><option>1000</option></select></p>
<p><input type="checkbox" id="latent_class" name="latent_class" value="1"> <label for="latent_class">{}</label></p>
<p><button type="submit">{}</button></p>
</form>)",
           t(language, "Schatten", "Estimate"), csrf_field(viewer.csrf), t(language, "Jaar", "Year"), year_options,
           t(language, "Mandaat", "Mandate"), t(language, "Mensenhandel", "Human trafficking"),
           t(language, "Seksueel geweld tegen kinderen", "Sexual violence against children"),
           t(language, "Uitsplitsen naar", "Strata"), t(language, "geen", "none"),
           t(language, "uitbuitingsvorm", "form"), t(language, "geslacht", "sex"), t(language, "leeftijd", "age"),
           t(language, "politie-eenheid", "police unit"), t(language, "Modelkeuze", "Model choice"),
           t(language, "Bootstrap-replicaties", "Bootstrap replicates"), t(language, "geen", "none"),
           t(language, "Ook het latente-klassenmodel (4 ketens, duurt langer)",
             "Also the latent class model (4 chains, takes longer)"),
           t(language, "Schatting maken", "Run the estimate"));
  // Publishing runs the estimate again from these parameters (the same seed gives the same
  // figures) and puts the chosen method's answer on /schattingen.
  const Html publish = html(
      R"(<h2 id="publiceren">{}</h2>
<p>{}</p>
<form method="post" action="/staff/schattingen/publiceren" class="panel">
{}<p><label for="p-year">{}</label><br><select id="p-year" name="year">{}</select></p>
<p><label for="p-mandate">{}</label><br><select id="p-mandate" name="mandate"><option value="human_trafficking">{}</option><option value="sexual_violence_against_children">{}</option></select></p>
<p><label for="p-by">{}</label><br><select id="p-by" name="by"><option value="">{}</option><option value="form">{}</option><option value="sex">{}</option><option value="age">{}</option><option value="region">{}</option></select></p>
<p><label for="p-method">{}</label><br><select id="p-method" name="method"><option value="recommended">{}</option><option value="selected">{}</option><option value="latent-class">{}</option></select></p>
<input type="hidden" name="criterion" value="bic"><input type="hidden" name="bootstrap" value="0">
<p><button type="submit">{}</button></p>
</form>)",
      t(language, "Schatting publiceren", "Publish an estimate"),
      t(language,
        "Een gepubliceerde schatting staat op /schattingen en in de open-data-API, met haar herkomst; "
        "de publicatie komt in het logboek.",
        "A published estimate appears on /schattingen and in the open data API with its provenance; the "
        "publication is recorded in the audit log."),
      csrf_field(viewer.csrf), t(language, "Jaar", "Year"), year_options, t(language, "Mandaat", "Mandate"),
      t(language, "Mensenhandel", "Human trafficking"),
      t(language, "Seksueel geweld tegen kinderen", "Sexual violence against children"),
      t(language, "Uitsplitsen naar (met de landelijke schatting)", "Strata (with the national estimate)"),
      t(language, "geen", "none"), t(language, "uitbuitingsvorm", "form"), t(language, "geslacht", "sex"),
      t(language, "leeftijd", "age"), t(language, "politie-eenheid", "police unit"), t(language, "Methode", "Method"),
      t(language, "aanbevolen: AIC-modelgemiddelde", "recommended: AIC model average"),
      t(language, "gekozen model (profielinterval)", "selected model (profile interval)"),
      t(language, "latente klassen", "latent class"), t(language, "Publiceren", "Publish"));
  return page(language, viewer, t(language, "Schatten", "Estimate"), body + publish);
}

std::string render_job(Language language, const StaffViewer& viewer, const JobView& job) {
  // Not ended yet: the page refreshes itself and its owner may stop it.
  const bool running = job.status == "running" || job.status == "queued";
  Html result;
  if (job.status == "done" && job.kind == "estimate") result = render_estimate_result(language, job.output);
  if (job.status == "done" && !job.link.empty()) {
    result += html("<p><a href=\"{}\">{}</a></p>\n", Html::escape(job.link), Html::escape(job.link_text));
  }
  if (job.status == "cancelled") {
    result += html("<p class=\"panel error\">{}</p>\n",
                   t(language, "Deze taak is op verzoek gestopt; er is niets van bewaard.",
                     "This job was stopped on request; nothing of it was kept."));
  }
  if (running && job.progress >= 0) {
    result += html(
        "<p><label for=\"job-progress\">{}</label> <progress id=\"job-progress\" max=\"100\" "
        "value=\"{}\">{}%</progress> {}%</p>\n",
        t(language, "Voortgang", "Progress"), num(std::lround(job.progress * 100)),
        num(std::lround(job.progress * 100)), num(std::lround(job.progress * 100)));
  }
  if (running && (viewer.admin || viewer.name == job.owner)) {
    result += html(
        "<form method=\"post\" action=\"/staff/jobs/{}/annuleren\" class=\"inline\">{}<button type=\"submit\" "
        "id=\"job-cancel\">{}</button></form>\n",
        num(job.id), csrf_field(viewer.csrf), t(language, "Taak stoppen", "Stop the job"));
  }
  if (job.status == "interrupted") {
    result += html("<p class=\"panel error\">{}</p>\n",
                   t(language,
                     "De server stopte terwijl deze taak liep; start haar opnieuw. Een levering laden gebeurt in "
                     "één transactie: die is heel of helemaal niet opgeslagen.",
                     "The server stopped while this job ran; start it again. Loading an extract is one transaction: it "
                     "was stored wholly or not at all."));
  }
  const Html body = html(
      R"(<h1>{}</h1>
<p class="panel" id="job-status" data-status="{}">{}: <strong>{}</strong> · {} {} · {} {}</p>
{}{}<h2>{}</h2>
<pre class="output">{}</pre>
{})",
      Html::escape(job.title), Html::escape(job.status), t(language, "Status", "Status"), label(language, job.status),
      t(language, "gestart", "started"), Html::escape(job.started), t(language, "door", "by"), Html::escape(job.owner),
      running ? html("<p>{}</p>\n", t(language, "Deze pagina ververst zichzelf tot de taak klaar is.",
                                      "This page refreshes itself until the job is done."))
              : Html(""),
      result, t(language, "Uitvoer", "Output"),
      Html::escape(job.kind == "estimate" && job.status == "done" ? job.messages : job.output + job.messages),
      running ? Html("<meta http-equiv=\"refresh\" content=\"1\">") : Html(""));
  return page(language, viewer, Html::escape(job.title), body);
}

std::string render_tables(Language language, const StaffViewer& viewer,
                          const std::vector<std::pair<std::string, std::string>>& specs,
                          const std::vector<std::string>& published) {
  Html rows;
  for (const auto& [name, title] : specs) {
    const bool is_published = std::find(published.begin(), published.end(), name) != published.end();
    rows +=
        html(R"(<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>
<form method="post" action="/staff/tabellen/beveiligen" class="inline">{}<input type="hidden" name="spec" value="{}"><button type="submit">{}</button></form>
<form method="post" action="/staff/tabellen/publiceren" class="inline">{}<input type="hidden" name="spec" value="{}"><button type="submit">{}</button></form>
</td></tr>
)",
             Html::escape(name), Html::escape(title),
             is_published
                 ? html("<a href=\"/cijfers/{}\">{}</a>", Html::escape(name), t(language, "gepubliceerd", "published"))
                 : t(language, "niet gepubliceerd", "not published"),
             csrf_field(viewer.csrf), Html::escape(name), t(language, "Beveiligen en controleren", "Protect and audit"),
             csrf_field(viewer.csrf), Html::escape(name), t(language, "Publiceren", "Publish"));
  }
  const Html body =
      html(R"(<h1>{}</h1>
<p>{}</p>
<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>
{}</tbody></table>)",
           t(language, "Tabellen", "Tables"),
           t(language,
             "Beveiligen toont welke cellen zijn onderdrukt en waarom, en de uitkomst van de onafhankelijke controle. "
             "Publiceren beveiligt, controleert en zet de tabel op de publieke site; een tabel die de controle niet "
             "doorstaat wordt niet gepubliceerd.",
             "Protect shows which cells were suppressed and why, and the independent audit's outcome. Publish "
             "protects, audits "
             "and puts the table on the public site; a table that fails the audit is not published."),
           t(language, "Naam", "Name"), t(language, "Titel", "Title"), t(language, "Publiek", "Public"),
           t(language, "Acties", "Actions"), rows);
  return page(language, viewer, t(language, "Tabellen", "Tables"), body);
}

std::string render_kb_editor(Language language, const StaffViewer& viewer, const std::vector<Publication>& publications,
                             const std::vector<Recommendation>& recommendations, const std::string& added_slug) {
  Html notice;
  for (const auto& p : publications) {
    if (added_slug.empty() || p.slug != added_slug) continue;
    notice = html(
        "<p class=\"panel notice\" role=\"status\" id=\"kb-added\">{} <a href=\"/publicaties/{}\">{}</a> ({}: "
        "{})</p>\n",
        t(language, "Toegevoegd en doorzoekbaar:", "Added and searchable:"), Html::escape(p.slug),
        Html::escape(p.title), t(language, "bestand", "file"), Html::escape(p.file_name));
  }
  Html items;
  for (const auto& p : publications) {
    Html recs;
    for (const auto& r : recommendations) {
      if (r.publication_slug != p.slug) continue;
      Html history;
      for (const auto& e : r.history) {
        history += html("<li>{} {}: {}</li>", Html::escape(e.date),
                        e.status ? label(language, to_code(*e.status)) : Html(""), Html::escape(e.note));
      }
      recs += html(R"(<li><p>{}. {} <span class="muted">({}, {})</span></p><ol class="history">{}</ol>
<form method="post" action="/staff/aanbevelingen/{}/{}" class="inline">{}
<label>{} <input name="date" type="date" required></label>
<label>{} <select name="status"><option value="">–</option><option value="adopted">{}</option><option value="partly_adopted">{}</option><option value="rejected">{}</option><option value="pending">{}</option></select></label>
<label>{} <input name="note" required></label> <button type="submit">{}</button></form></li>
)",
                   num(r.number), Html::escape(r.text), Html::escape(r.addressee), label(language, to_code(r.status)),
                   history, Html::escape(p.slug), num(r.number), csrf_field(viewer.csrf), t(language, "Datum", "Date"),
                   t(language, "Status", "Status"), label(language, "adopted"), label(language, "partly_adopted"),
                   label(language, "rejected"), label(language, "pending"), t(language, "Notitie", "Note"),
                   t(language, "Opvolging vastleggen", "Record follow-up"));
    }
    items += html(
        R"(<details><summary>{} <span class="muted">{} · {}</span></summary>
<form method="post" action="/staff/kennisbank/{}" class="panel">{}
<p><label>{}<br><input name="title" value="{}" required size="60"></label></p>
<p><label>{}<br><input name="date" type="date" value="{}" required></label></p>
<p><label>{}<br><textarea name="summary" rows="3" cols="60">{}</textarea></label></p>
<p><label>{}<br><input name="tables" value="{}" size="60"></label></p>
<p><button type="submit">{}</button> <a href="/publicaties/{}">{}</a></p></form>
{}</details>
)",
        Html::escape(p.title), label(language, to_code(p.type)), Html::escape(p.date), Html::escape(p.slug),
        csrf_field(viewer.csrf), t(language, "Titel", "Title"), Html::escape(p.title), t(language, "Datum", "Date"),
        Html::escape(p.date), t(language, "Samenvatting", "Summary"), Html::escape(p.summary),
        t(language, "Tabellen (namen, met komma's)", "Tables (names, comma-separated)"),
        Html::escape(fmt::format("{}", fmt::join(p.tables, ", "))), t(language, "Opslaan", "Save"),
        Html::escape(p.slug), t(language, "publieke pagina", "public page"),
        recs.str().empty() ? Html("")
                           : html("<h3>{}</h3><ol>{}</ol>\n", t(language, "Aanbevelingen", "Recommendations"), recs));
  }
  Html types;
  for (const std::string_view type : {"monitor", "study", "letter", "news", "brochure", "annual_report"}) {
    types += html("<option value=\"{}\">{}</option>", Html::escape(type), label(language, type));
  }
  Html themes;
  for (const std::string_view theme : {"human_trafficking", "sexual_violence_against_children"}) {
    themes += html("<label><input type=\"checkbox\" name=\"theme\" value=\"{}\"> {}</label> ", Html::escape(theme),
                   label(language, theme));
  }
  const Html add_form = html(
      R"(<details><summary>{}</summary>
<form method="post" action="/staff/kennisbank/toevoegen" enctype="multipart/form-data" class="panel">{}
<p><label>{}<br><input name="file" type="file" accept=".pdf,.html,.htm,.md,.markdown,.txt" required></label></p>
<p><label>{}<br><select name="type" required>{}</select></label></p>
<p><label>{}<br><input name="title" size="60"></label></p>
<p><label>{}<br><input name="date" type="date"></label></p>
<p><label>{}<br><select name="language"><option value="nl">Nederlands</option><option value="en">English</option></select></label></p>
<p>{}<br>{}</p>
<p><label>{}<br><textarea name="summary" rows="3" cols="60"></textarea></label></p>
<p><label>{}<br><input name="tables" size="60"></label></p>
<p><button type="submit">{}</button></p></form></details>
)",
      t(language, "Publicatie toevoegen", "Add publication"), csrf_field(viewer.csrf),
      t(language, "Bestand (PDF, HTML, Markdown of tekst)", "File (PDF, HTML, Markdown or text)"),
      t(language, "Soort", "Type"), types, t(language, "Titel (leeg: uit het bestand)", "Title (empty: from the file)"),
      t(language, "Datum (leeg: vandaag)", "Date (empty: today)"), t(language, "Taal", "Language"),
      t(language, "Thema's", "Themes"), themes, t(language, "Samenvatting", "Summary"),
      t(language, "Tabellen waarover de publicatie gaat (namen, met komma's)",
        "Tables the publication reports on (names, comma-separated)"),
      t(language, "Toevoegen", "Add"));
  const Html body = html(
      "<h1>{}</h1>\n{}<p>{}</p>\n{}\n{}\n{}", t(language, "Kennisbank beheren", "Manage the knowledge base"), notice,
      t(language,
        "Hier voegt u publicaties toe (of met rapporteur kb add), past u gegevens aan en legt u de opvolging van "
        "aanbevelingen vast.",
        "Here you add publications (or with rapporteur kb add), edit their details and record the follow-up of "
        "recommendations."),
      add_form,
      html("<form method=\"post\" action=\"/staff/kennisbank/herbouwen\">{}<button type=\"submit\">{}</button></form>",
           csrf_field(viewer.csrf), t(language, "Zoekindex herbouwen", "Rebuild the search index")),
      items);
  return page(language, viewer, t(language, "Kennisbank beheren", "Manage the knowledge base"), body);
}

std::string render_users(Language language, const StaffViewer& viewer, const std::vector<store::User>& users,
                         std::string_view created_password) {
  Html rows;
  for (const auto& u : users) {
    rows += html("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", Html::escape(u.name),
                 label(language, store::to_code(u.role)), Html::escape(u.created_at), Html::escape(u.locked_until));
  }
  const Html body =
      html(R"(<h1>{}</h1>
{}<form method="post" action="/staff/gebruikers" class="panel">{}
<p><label>{}<br><input name="name" required pattern="[A-Za-z0-9._-]{{2,40}}"></label></p>
<p><label>{}<br><select name="role"><option>researcher</option><option>editor</option><option>admin</option></select></label></p>
<p><button type="submit">{}</button></p></form>
<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>
{}</tbody></table>)",
           t(language, "Gebruikers", "Users"),
           created_password.empty()
               ? Html("")
               : html("<p class=\"panel\" role=\"status\">{} <code>{}</code></p>\n",
                      t(language,
                        "Eenmalig wachtwoord (wordt niet opnieuw getoond):", "One-time password (not shown again):"),
                      Html::escape(created_password)),
           csrf_field(viewer.csrf), t(language, "Naam", "Name"), t(language, "Rol", "Role"),
           t(language, "Toevoegen", "Add"), t(language, "Naam", "Name"), t(language, "Rol", "Role"),
           t(language, "Aangemaakt", "Created"), t(language, "Geblokkeerd tot", "Locked until"), rows);
  return page(language, viewer, t(language, "Gebruikers", "Users"), body);
}

std::string render_account(Language language, const StaffViewer& viewer, const AccountView& a) {
  const auto euro = [](std::int64_t cents) { return Html::escape(format_euro(Cents{cents})); };

  // Each entry can be removed (a mistyped entry is otherwise there for good); the removal is
  // audited.
  const Html remove = t(language, "Verwijderen", "Remove");
  Html activities;
  for (const auto& x : a.activities) {
    activities += html(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><form method=\"post\" "
        "action=\"/staff/verantwoording/activiteit/verwijderen\" "
        "class=\"inline\">{}<input type=\"hidden\" name=\"date\" value=\"{}\"><input type=\"hidden\" name=\"kind\" "
        "value=\"{}\">"
        "<input type=\"hidden\" name=\"organisation\" value=\"{}\"><input type=\"hidden\" name=\"title\" value=\"{}\">"
        "<button type=\"submit\">{}</button></form></td></tr>\n",
        Html::escape(x.date), Html::escape(to_code(x.kind)), Html::escape(x.organisation), Html::escape(x.title),
        csrf_field(viewer.csrf), Html::escape(x.date), Html::escape(to_code(x.kind)), Html::escape(x.organisation),
        Html::escape(x.title), remove);
  }
  Html media;
  for (const auto& m : a.media) {
    media += html(
        "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td><form method=\"post\" "
        "action=\"/staff/verantwoording/media/verwijderen\" "
        "class=\"inline\">{}<input type=\"hidden\" name=\"date\" value=\"{}\"><input type=\"hidden\" name=\"outlet\" "
        "value=\"{}\">"
        "<input type=\"hidden\" name=\"topic\" value=\"{}\"><button type=\"submit\">{}</button></form></td></tr>\n",
        Html::escape(m.date), Html::escape(m.outlet), Html::escape(to_code(m.kind)), Html::escape(m.topic),
        csrf_field(viewer.csrf), Html::escape(m.date), Html::escape(m.outlet), Html::escape(m.topic), remove);
  }
  Html finances = html("<p>{}</p>", t(language, "Geen financiën vastgelegd.", "No finances recorded."));
  if (a.finances) {
    Html checks;
    for (const auto& [what, stated, computed, difference] : a.mismatches) {
      checks += html("<p class=\"panel error\">{}: {} {}, {} {}, {} {}</p>\n", Html::escape(what),
                     t(language, "opgegeven", "stated"), euro(stated), t(language, "berekend", "computed"),
                     euro(computed), t(language, "verschil", "difference"), euro(difference));
    }
    finances = html(
        "{}<p>{} {} · {} {} · {} {}</p>{}", checks, t(language, "Budget", "Budget"),
        euro(a.finances->budget_total_cents), t(language, "uitgaven", "spending"),
        euro(a.finances->spending_total_cents), t(language, "resultaat", "result"), euro(a.finances->result_cents),
        a.mismatches.empty()
            ? html("<p>{}</p>", t(language, "De regels tellen op tot de totalen.", "The lines add up to the totals."))
            : Html(""));
  }
  Html reports;
  for (const auto& file : a.report_files) {
    reports += html("<li><a href=\"/staff/verantwoording/{}\">{}</a></li>", Html::escape(file), Html::escape(file));
  }
  const Html year = num(a.year);
  const Html body = html(
      R"(<h1>{} {}</h1>
<form method="get" action="/staff/verantwoording" class="inline"><label>{} <input name="year" type="number" min="1990" max="2100" value="{}"></label> <button type="submit">{}</button></form>
<h2>{}</h2>
<form method="post" action="/staff/verantwoording/jaarverslag" class="inline">{}<input type="hidden" name="year" value="{}"><button type="submit">{}</button></form>
<ul>{}</ul>
<h2>{}</h2>
{}
<h2>{} ({})</h2>
<form method="post" action="/staff/verantwoording/activiteit" class="panel">{}
<label>{} <input name="date" type="date" required></label>
<label>{} <select name="kind"><option>advisory_board</option><option>steering_committee</option><option>expert_meeting</option><option>briefing</option><option>consultation</option><option>presentation</option><option>cooperation</option><option>other</option></select></label>
<label>{} <input name="organisation" required></label> <label>{} <input name="title" required></label>
<button type="submit">{}</button></form>
<table><tbody>{}</tbody></table>
<h2>{} ({})</h2>
<form method="post" action="/staff/verantwoording/media" class="panel">{}
<label>{} <input name="date" type="date" required></label> <label>{} <input name="outlet" required></label>
<label>{} <select name="kind"><option>radio</option><option>tv</option><option>national_paper</option><option>regional_paper</option><option>international_paper</option><option>online</option></select></label>
<label>{} <input name="topic" required></label> <button type="submit">{}</button></form>
<table><tbody>{}</tbody></table>
<h2>{}</h2>
<form method="post" action="/staff/verantwoording/importeren" enctype="multipart/form-data" class="panel">{}
<label>{} <input name="file" type="file" accept=".yaml,.yml" required></label> <button type="submit">{}</button></form>)",
      t(language, "Verantwoording", "Yearly account"), year, t(language, "Jaar", "Year"), year,
      t(language, "Tonen", "Show"), t(language, "Jaarverslag", "Annual report"), csrf_field(viewer.csrf), year,
      t(language, "Jaarverslag maken (HTML en PDF)", "Make the annual report (HTML and PDF)"), reports,
      t(language, "Financiën", "Finances"), finances, t(language, "Activiteiten", "Activities"),
      num(static_cast<std::int64_t>(a.activities.size())), csrf_field(viewer.csrf), t(language, "Datum", "Date"),
      t(language, "Soort", "Kind"), t(language, "Organisatie", "Organisation"), t(language, "Titel", "Title"),
      t(language, "Toevoegen", "Add"), activities, t(language, "Media", "Media"),
      num(static_cast<std::int64_t>(a.media.size())), csrf_field(viewer.csrf), t(language, "Datum", "Date"),
      t(language, "Medium", "Outlet"), t(language, "Soort", "Kind"), t(language, "Onderwerp", "Topic"),
      t(language, "Toevoegen", "Add"), media, t(language, "Jaarbestand importeren (YAML)", "Import a year file (YAML)"),
      csrf_field(viewer.csrf), t(language, "Bestand", "File"), t(language, "Importeren", "Import"));
  return page(language, viewer, t(language, "Verantwoording", "Yearly account"), body);
}

std::string render_audit(Language language, const StaffViewer& viewer, const std::vector<store::AuditEntry>& entries) {
  Html rows;
  for (const auto& e : entries) {
    rows += html("<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", Html::escape(e.at),
                 Html::escape(e.user_name), Html::escape(e.action), Html::escape(e.detail));
  }
  const Html body =
      html(R"(<h1>{}</h1>
<table><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>
{}</tbody></table>)",
           t(language, "Logboek", "Audit log"), t(language, "Tijd (UTC)", "Time (UTC)"), t(language, "Wie", "Who"),
           t(language, "Wat", "What"), t(language, "Details", "Details"), rows);
  return page(language, viewer, t(language, "Logboek", "Audit log"), body);
}

}  // namespace rapporteur::web::internal
