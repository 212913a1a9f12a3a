#include "account/account.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <fstream>
#include <limits>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <nlohmann/json.hpp>

#include "core/html.h"
#include "core/money.h"

extern char** environ;

namespace rapporteur::account {
namespace {

// Adds without wrapping; nullopt on overflow.
std::optional<std::int64_t> checked_sum(std::optional<std::int64_t> sum, std::int64_t add) {
  if (!sum) return std::nullopt;
  std::int64_t out = 0;
  if (__builtin_add_overflow(*sum, add, &out)) return std::nullopt;
  return out;
}

std::string escape(std::string_view text) { return escape_html(text); }

std::string euro(std::int64_t cents) { return format_euro(Cents{cents}); }

bool valid_date_in(const std::string& date, int year) {
  if (date.size() != 10 || date[4] != '-' || date[7] != '-' || date.substr(0, 4) != std::to_string(year)) return false;
  const int month = std::atoi(date.substr(5, 2).c_str());
  const int day = std::atoi(date.substr(8, 2).c_str());
  const std::chrono::year_month_day ymd{std::chrono::year{year}, std::chrono::month{static_cast<unsigned>(month)},
                                        std::chrono::day{static_cast<unsigned>(day)}};
  return ymd.ok();
}

// ---- YAML ---------------------------------------------------------------------------------

class YearReader {
 public:
  explicit YearReader(std::string file) : file_(std::move(file)) {}

  Error error(const std::string& where, const std::string& reason) const {
    return Error{ErrorCode::kInvalidArgument, fmt::format("{}: {}: {}", file_, where, reason)};
  }

  Result<std::string> text(const YAML::Node& node, const std::string& where, const char* key, bool required) const {
    const YAML::Node value = node[key];
    if (!value || value.IsNull()) {
      if (required) return tl::unexpected(error(fmt::format("{}.{}", where, key), "missing"));
      return std::string();
    }
    if (!value.IsScalar()) return tl::unexpected(error(fmt::format("{}.{}", where, key), "not a single value"));
    return value.Scalar();
  }

  Result<std::int64_t> amount(const YAML::Node& node, const std::string& where, const char* key) const {
    ASSIGN_OR_RETURN(const std::string value, text(node, where, key, true));
    auto parsed = parse_euro(value);
    if (!parsed) return tl::unexpected(error(fmt::format("{}.{}", where, key), parsed.error().message));
    return parsed->value;
  }

  Result<std::string> date(const YAML::Node& node, const std::string& where, int year) const {
    ASSIGN_OR_RETURN(const std::string value, text(node, where, "date", true));
    if (!valid_date_in(value, year)) {
      return tl::unexpected(error(where + ".date", fmt::format("'{}' is not a date (YYYY-MM-DD) in {}", value, year)));
    }
    return value;
  }

  template <typename T, typename Parse>
  Result<T> code(const YAML::Node& node, const std::string& where, const char* key, Parse parse) const {
    ASSIGN_OR_RETURN(const std::string value, text(node, where, key, true));
    auto parsed = parse(value);
    if (!parsed) return tl::unexpected(error(fmt::format("{}.{}", where, key), parsed.error().message));
    return *parsed;
  }

 private:
  std::string file_;
};

Result<YearFile> parse_year(const YAML::Node& root, const YearReader& r) {
  YearFile out;
  if (!root.IsMap() || !root["year"]) return tl::unexpected(r.error("year", "missing"));
  ASSIGN_OR_RETURN(const std::string year_text, r.text(root, "", "year", true));
  out.year = std::atoi(year_text.c_str());
  if (out.year < 1990 || out.year > 2100)
    return tl::unexpected(r.error("year", fmt::format("'{}' is not a year", year_text)));
  const auto list = [&](const char* key) { return root[key] && root[key].IsSequence() ? root[key] : YAML::Node(); };
  const YAML::Node activities = list("activities");
  for (std::size_t i = 0; activities && i < activities.size(); ++i) {
    const std::string where = fmt::format("activities[{}]", i + 1);
    const YAML::Node node = activities[i];
    Activity a;
    ASSIGN_OR_RETURN(a.date, r.date(node, where, out.year));
    ASSIGN_OR_RETURN(a.kind, r.code<ActivityKind>(node, where, "kind", parse_activity_kind));
    ASSIGN_OR_RETURN(a.organisation, r.text(node, where, "organisation", true));
    ASSIGN_OR_RETURN(a.title, r.text(node, where, "title", true));
    ASSIGN_OR_RETURN(a.notes, r.text(node, where, "notes", false));
    out.activities.push_back(std::move(a));
  }
  const YAML::Node media = list("media");
  for (std::size_t i = 0; media && i < media.size(); ++i) {
    const std::string where = fmt::format("media[{}]", i + 1);
    const YAML::Node node = media[i];
    MediaAppearance m;
    ASSIGN_OR_RETURN(m.date, r.date(node, where, out.year));
    ASSIGN_OR_RETURN(m.outlet, r.text(node, where, "outlet", true));
    ASSIGN_OR_RETURN(m.kind, r.code<MediaKind>(node, where, "kind", parse_media_kind));
    ASSIGN_OR_RETURN(m.topic, r.text(node, where, "topic", true));
    ASSIGN_OR_RETURN(m.link, r.text(node, where, "link", false));
    out.media.push_back(std::move(m));
  }
  if (const YAML::Node f = root["finances"]; f && f.IsMap()) {
    Finances finances;
    finances.year = out.year;
    ASSIGN_OR_RETURN(finances.budget_total_cents, r.amount(f, "finances", "budget_total"));
    ASSIGN_OR_RETURN(finances.spending_total_cents, r.amount(f, "finances", "spending_total"));
    ASSIGN_OR_RETURN(finances.result_cents, r.amount(f, "finances", "result"));
    ASSIGN_OR_RETURN(finances.notes, r.text(f, "finances", "notes", false));
    const YAML::Node budget = f["budget"];
    for (std::size_t i = 0; budget && budget.IsSequence() && i < budget.size(); ++i) {
      const std::string where = fmt::format("finances.budget[{}]", i + 1);
      BudgetLine line;
      ASSIGN_OR_RETURN(line.funder, r.text(budget[i], where, "funder", true));
      ASSIGN_OR_RETURN(line.description, r.text(budget[i], where, "description", false));
      ASSIGN_OR_RETURN(line.kind, r.code<FundingKind>(budget[i], where, "kind", parse_funding_kind));
      ASSIGN_OR_RETURN(line.amount_cents, r.amount(budget[i], where, "amount"));
      finances.budget.push_back(std::move(line));
    }
    const YAML::Node spending = f["spending"];
    for (std::size_t i = 0; spending && spending.IsSequence() && i < spending.size(); ++i) {
      const std::string where = fmt::format("finances.spending[{}]", i + 1);
      SpendingLine line;
      ASSIGN_OR_RETURN(line.category,
                       r.code<SpendingCategory>(spending[i], where, "category", parse_spending_category));
      ASSIGN_OR_RETURN(line.description, r.text(spending[i], where, "description", false));
      ASSIGN_OR_RETURN(line.amount_cents, r.amount(spending[i], where, "amount"));
      finances.spending.push_back(std::move(line));
    }
    out.finances = std::move(finances);
  }
  return out;
}

// ---- Report -------------------------------------------------------------------------------

const char* activity_label(ActivityKind kind) {
  switch (kind) {
    case ActivityKind::kAdvisoryBoard:
      return "Adviesraden";
    case ActivityKind::kSteeringCommittee:
      return "Begeleidingscommissies";
    case ActivityKind::kExpertMeeting:
      return "Expertbijeenkomsten";
    case ActivityKind::kBriefing:
      return "Briefings (onder meer aan het parlement)";
    case ActivityKind::kConsultation:
      return "Consultatiereacties";
    case ActivityKind::kPresentation:
      return "Presentaties";
    case ActivityKind::kCooperation:
      return "Samenwerking";
    case ActivityKind::kOther:
      return "Overig";
  }
  return "";
}

const char* media_label(MediaKind kind) {
  switch (kind) {
    case MediaKind::kRadio:
      return "Radio";
    case MediaKind::kTv:
      return "Televisie";
    case MediaKind::kNationalPaper:
      return "Landelijke krant";
    case MediaKind::kRegionalPaper:
      return "Regionale krant";
    case MediaKind::kInternationalPaper:
      return "Internationale krant";
    case MediaKind::kOnline:
      return "Online";
  }
  return "";
}

const char* type_label(PublicationType type) {
  switch (type) {
    case PublicationType::kMonitor:
      return "Monitor";
    case PublicationType::kStudy:
      return "Onderzoek";
    case PublicationType::kLetter:
      return "Brief";
    case PublicationType::kNews:
      return "Nieuws";
    case PublicationType::kBrochure:
      return "Brochure";
    case PublicationType::kAnnualReport:
      return "Jaarverslag";
  }
  return "";
}

const char* category_label(SpendingCategory category) {
  switch (category) {
    case SpendingCategory::kStaff:
      return "Personeel";
    case SpendingCategory::kOperations:
      return "Bedrijfsvoering";
    case SpendingCategory::kResearch:
      return "Onderzoek";
    case SpendingCategory::kOther:
      return "Overig";
  }
  return "";
}

const char* status_label(ResponseStatus status) {
  switch (status) {
    case ResponseStatus::kAdopted:
      return "overgenomen";
    case ResponseStatus::kPartlyAdopted:
      return "deels overgenomen";
    case ResponseStatus::kRejected:
      return "niet overgenomen";
    case ResponseStatus::kPending:
      return "reactie afwachten";
  }
  return "";
}

const char* kMonths[12] = {"jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"};

constexpr const char* kStyle =
    R"(body { font: 11pt/1.45 "DejaVu Sans", system-ui, sans-serif; color: #1b1b1b; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
h1 { color: #01689b; } h2 { color: #01689b; border-bottom: 1px solid #c8d1da; margin-top: 2rem; page-break-after: avoid; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; } th, td { text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #c8d1da; vertical-align: top; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.mismatch { background: #fdecea; color: #8e1b1b; font-weight: 600; } .note { color: #4a4a4a; }
.chart { width: 100%; height: 16rem; } section { page-break-inside: auto; }
@page { size: A4; margin: 18mm 16mm; }
@media print { body { margin: 0 auto; } })";

}  // namespace

std::vector<Mismatch> check_finances(const Finances& f) {
  std::vector<Mismatch> mismatches;
  std::optional<std::int64_t> budget = 0;
  for (const auto& line : f.budget) budget = checked_sum(budget, line.amount_cents);
  std::optional<std::int64_t> spending = 0;
  for (const auto& line : f.spending) spending = checked_sum(spending, line.amount_cents);
  const auto compare = [&](const char* what, std::int64_t stated, std::optional<std::int64_t> computed) {
    if (!computed) {
      mismatches.push_back({std::string(what) + " (the sum overflows)", stated, 0, 0});
      return;
    }
    if (stated != *computed) mismatches.push_back({what, stated, *computed, stated - *computed});
  };
  compare("budgetregels tegenover het opgegeven budget", f.budget_total_cents, budget);
  compare("uitgavenregels tegenover de opgegeven uitgaven", f.spending_total_cents, spending);
  std::int64_t result = 0;
  const bool overflow = __builtin_sub_overflow(f.budget_total_cents, f.spending_total_cents, &result);
  compare("opgegeven resultaat tegenover budget min uitgaven", f.result_cents,
          overflow ? std::nullopt : std::optional<std::int64_t>(result));
  return mismatches;
}

Result<YearFile> read_year_file(const std::filesystem::path& path) {
  const YearReader reader(path.string());
  std::ifstream in(path);
  if (!in) return fail(ErrorCode::kIo, fmt::format("{}: cannot read", path.string()));
  try {
    return parse_year(YAML::Load(in), reader);
  } catch (const YAML::Exception& e) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: line {}, column {}: {}", path.string(), e.mark.line + 1, e.mark.column + 1, e.msg));
  }
}

Result<std::size_t> import_year(store::Store& store, const YearFile& file) {
  std::size_t stored = 0;
  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    for (const auto& a : file.activities) RETURN_IF_ERROR(store.put_activity(a));
    for (const auto& m : file.media) RETURN_IF_ERROR(store.put_media_appearance(m));
    if (file.finances) RETURN_IF_ERROR(store.put_finances(*file.finances));
    stored = file.activities.size() + file.media.size() + (file.finances ? 1 : 0);
    return ok();
  }));
  return stored;
}

Result<AnnualReport> build_annual_report(store::Store& store, int year, const ReportOptions& options) {
  AnnualReport report;
  ReportFigures& fig = report.figures;
  fig.year = year;
  const std::string prefix = std::to_string(year);
  ASSIGN_OR_RETURN(const auto publications, store.publication_list());
  ASSIGN_OR_RETURN(const auto recommendations, store.recommendations());
  ASSIGN_OR_RETURN(const auto activities, store.activities(year));
  ASSIGN_OR_RETURN(const auto media, store.media_appearances(year));
  auto finances = store.finances(year);
  if (finances) {
    fig.finances = *finances;
    fig.mismatches = check_finances(*finances);
  } else if (finances.error().code != ErrorCode::kNotFound) {
    return tl::unexpected(finances.error());
  }

  std::map<std::string, std::string> titles;
  for (const auto& p : publications) titles[p.slug] = p.title;
  std::string publication_rows;
  std::vector<const Publication*> of_year;
  for (const auto& p : publications) {
    if (p.date.starts_with(prefix)) of_year.push_back(&p);
  }
  std::sort(of_year.begin(), of_year.end(),
            [](const Publication* a, const Publication* b) { return a->date < b->date; });
  for (const Publication* p : of_year) {
    ++fig.publications;
    ++fig.publications_by_type[type_label(p->type)];
    publication_rows += fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td></tr>\n", escape(p->date),
                                    type_label(p->type), escape(p->title));
  }
  std::string recommendation_rows;
  for (const auto& r : recommendations) {
    if (r.year != year) continue;
    ++fig.recommendations;
    fig.recommendations_adopted += r.status == ResponseStatus::kAdopted ? 1 : 0;
    fig.recommendations_partly += r.status == ResponseStatus::kPartlyAdopted ? 1 : 0;
    recommendation_rows +=
        fmt::format("<tr><td>{} ({})</td><td>{}</td><td>{}</td><td>{}</td></tr>\n", escape(titles[r.publication_slug]),
                    r.number, escape(r.text), escape(r.addressee), status_label(r.status));
  }
  std::map<ActivityKind, std::string> activity_rows;
  for (const auto& a : activities) {
    ++fig.activities_by_kind[std::string(to_code(a.kind))];
    if (a.kind != ActivityKind::kCooperation) ++fig.activities;
    activity_rows[a.kind] += fmt::format(
        "<tr><td>{}</td><td>{}</td><td>{}{}</td></tr>\n", escape(a.date), escape(a.organisation), escape(a.title),
        a.notes.empty() ? "" : fmt::format(" <span class=\"note\">({})</span>", escape(a.notes)));
  }
  std::map<MediaKind, std::int64_t> media_kinds;
  for (const auto& m : media) {
    ++fig.media;
    ++fig.media_by_kind[std::string(to_code(m.kind))];
    ++media_kinds[m.kind];
    ++fig.media_by_month[static_cast<std::size_t>(std::atoi(m.date.substr(5, 2).c_str()) - 1)];
  }

  // Sections.
  std::string html = fmt::format(R"(<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><title>Jaarverslag {0}</title><style>{1}</style></head>
<body>
<h1>Jaarverslag {0}</h1>
)",
                                 year, kStyle);
  const double share = fig.recommendations == 0 ? 0.0
                                                : 100.0 * static_cast<double>(fig.recommendations_adopted) /
                                                      static_cast<double>(fig.recommendations);
  html += fmt::format(R"(<section><h2>1. Overzicht</h2>
<ul>
<li>{} publicaties</li>
<li>{} aanbevelingen, waarvan {} overgenomen ({:.0f}%) en {} deels overgenomen</li>
<li>{} adviesactiviteiten en {} samenwerkingsverbanden</li>
<li>{} keer in de media</li>
<li>{}</li>
</ul></section>
)",
                      fig.publications, fig.recommendations, fig.recommendations_adopted, share,
                      fig.recommendations_partly, fig.activities, fig.activities_by_kind["cooperation"], fig.media,
                      fig.finances ? fmt::format("Resultaat: {}", escape(euro(fig.finances->result_cents)))
                                   : std::string("Geen financiële gegevens vastgelegd"));
  html +=
      fmt::format(R"(<section><h2>2. Publicaties</h2>
<table><thead><tr><th>Datum</th><th>Soort</th><th>Titel</th></tr></thead><tbody>
{}</tbody></table></section>
)",
                  publication_rows.empty() ? "<tr><td colspan=\"3\">Geen publicaties.</td></tr>\n" : publication_rows);
  html += fmt::format(
      R"(<section><h2>3. Aanbevelingen</h2>
<p>In {} deed de rapporteur {} aanbevelingen; {} zijn overgenomen ({:.0f}%), {} deels.</p>
<table><thead><tr><th>Publicatie</th><th>Aanbeveling</th><th>Aan</th><th>Reactie</th></tr></thead><tbody>
{}</tbody></table></section>
)",
      year, fig.recommendations, fig.recommendations_adopted, share, fig.recommendations_partly,
      recommendation_rows.empty() ? "<tr><td colspan=\"4\">Geen aanbevelingen.</td></tr>\n" : recommendation_rows);
  std::string advisory;
  for (const auto& [kind, rows] : activity_rows) {
    if (kind == ActivityKind::kCooperation) continue;
    advisory += fmt::format("<h3>{}</h3>\n<table><tbody>\n{}</tbody></table>\n", activity_label(kind), rows);
  }
  html += fmt::format("<section><h2>4. Advieswerk</h2>\n{}</section>\n",
                      advisory.empty() ? "<p>Geen adviesactiviteiten vastgelegd.</p>\n" : advisory);
  std::string media_rows;
  for (const auto& [kind, count] : media_kinds) {
    media_rows += fmt::format("<tr><td>{}</td><td class=\"num\">{}</td></tr>\n", media_label(kind), count);
  }
  std::string month_cells;
  std::string month_heads;
  nlohmann::json month_values = nlohmann::json::array();
  for (std::size_t m = 0; m < 12; ++m) {
    month_heads += fmt::format("<th class=\"num\">{}</th>", kMonths[m]);
    month_cells += fmt::format("<td class=\"num\">{}</td>", fig.media_by_month[m]);
    month_values.push_back(fig.media_by_month[m]);
  }
  const bool charts = !options.chart_script.empty();
  html += fmt::format(
      R"(<section><h2>5. Media</h2>
<p>Het werk van de rapporteur kwam {} keer in de media.</p>
<table><thead><tr><th>Soort medium</th><th class="num">Aantal</th></tr></thead><tbody>
{}<tr><th>Totaal</th><th class="num">{}</th></tr></tbody></table>
{}<table><thead><tr>{}</tr></thead><tbody><tr>{}</tr></tbody></table></section>
)",
      fig.media, media_rows, fig.media,
      charts ? "<div id=\"media-chart\" class=\"chart\" role=\"img\" aria-label=\"Media per maand\"></div>\n" : "",
      month_heads, month_cells);
  const auto cooperation = activity_rows.find(ActivityKind::kCooperation);
  html += fmt::format("<section><h2>6. Samenwerking</h2>\n{}</section>\n",
                      cooperation == activity_rows.end()
                          ? std::string("<p>Geen samenwerkingsverbanden vastgelegd.</p>\n")
                          : fmt::format("<table><tbody>\n{}</tbody></table>\n", cooperation->second));
  std::string finance_html = "<p>Geen financiële gegevens vastgelegd.</p>\n";
  nlohmann::json finance_chart = nullptr;
  if (fig.finances) {
    const Finances& f = *fig.finances;
    std::string budget_rows;
    std::int64_t structural = 0;
    std::int64_t incidental = 0;
    for (const auto& line : f.budget) {
      (line.kind == FundingKind::kStructural ? structural : incidental) += line.amount_cents;
      budget_rows +=
          fmt::format("<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n", escape(line.funder),
                      escape(line.description), line.kind == FundingKind::kStructural ? "structureel" : "incidenteel",
                      escape(euro(line.amount_cents)));
    }
    std::map<SpendingCategory, std::int64_t> by_category;
    std::string spending_rows;
    for (const auto& line : f.spending) {
      by_category[line.category] += line.amount_cents;
      spending_rows +=
          fmt::format("<tr><td>{}</td><td>{}</td><td class=\"num\">{}</td></tr>\n", category_label(line.category),
                      escape(line.description), escape(euro(line.amount_cents)));
    }
    std::string flagged;
    for (const auto& m : fig.mismatches) {
      flagged += fmt::format(
          "<p class=\"mismatch\">Let op: {} klopt niet. Opgegeven {}, berekend {}, verschil {}.</p>\n", escape(m.what),
          escape(euro(m.stated_cents)), escape(euro(m.computed_cents)), escape(euro(m.difference_cents)));
    }
    finance_html = fmt::format(
        R"({}<h3>Budget</h3>
<table><thead><tr><th>Financier</th><th>Omschrijving</th><th>Soort</th><th class="num">Bedrag</th></tr></thead><tbody>
{}<tr><th colspan="3">Totaal (opgegeven)</th><th class="num">{}</th></tr></tbody></table>
<p>Structureel {}, incidenteel {}.</p>
<h3>Uitgaven</h3>
<table><thead><tr><th>Categorie</th><th>Omschrijving</th><th class="num">Bedrag</th></tr></thead><tbody>
{}<tr><th colspan="2">Totaal (opgegeven)</th><th class="num">{}</th></tr></tbody></table>
<h3>Resultaat</h3>
<p>Budget {} min uitgaven {}: resultaat {}.</p>
{}{})",
        flagged, budget_rows, escape(euro(f.budget_total_cents)), escape(euro(structural)), escape(euro(incidental)),
        spending_rows, escape(euro(f.spending_total_cents)), escape(euro(f.budget_total_cents)),
        escape(euro(f.spending_total_cents)), escape(euro(f.result_cents)),
        f.notes.empty() ? "" : "<p class=\"note\">" + escape(f.notes) + "</p>\n",
        charts ? "<div id=\"finance-chart\" class=\"chart\" role=\"img\" aria-label=\"Budget en uitgaven\"></div>\n"
               : "");
    finance_chart = {{"budget", static_cast<double>(f.budget_total_cents) / 100.0},
                     {"spending", static_cast<double>(f.spending_total_cents) / 100.0},
                     {"result", static_cast<double>(f.result_cents) / 100.0}};
  }
  html += fmt::format("<section><h2>7. Financiën</h2>\n{}</section>\n", finance_html);
  if (charts) {
    const nlohmann::json data{{"months", kMonths}, {"media", month_values}, {"finances", finance_chart}};
    // The data is JSON in a non-executed script element; '<' is escaped so no text can close it.
    std::string data_text = data.dump();
    std::string safe;
    for (const char c : data_text) safe += c == '<' ? std::string("\\u003c") : std::string(1, c);
    html += "<script>" + options.chart_script + "</script>\n<script type=\"application/json\" id=\"report-data\">" +
            safe +
            R"JS(</script>
<script>
(function () {
  var data = JSON.parse(document.getElementById("report-data").textContent);
  var common = { animation: false, textStyle: { fontFamily: "DejaVu Sans, sans-serif" } };
  var media = echarts.init(document.getElementById("media-chart"), null, { renderer: "svg" });
  media.setOption(Object.assign({}, common, {
    title: { text: "Media per maand", left: "center", textStyle: { fontSize: 13 } },
    xAxis: { type: "category", data: data.months }, yAxis: { type: "value", minInterval: 1 },
    series: [{ type: "bar", data: data.media, itemStyle: { color: "#01689b" } }]
  }));
  var node = document.getElementById("finance-chart");
  if (node && data.finances) {
    var finance = echarts.init(node, null, { renderer: "svg" });
    finance.setOption(Object.assign({}, common, {
      title: { text: "Budget en uitgaven (euro)", left: "center", textStyle: { fontSize: 13 } },
      xAxis: { type: "category", data: ["Budget", "Uitgaven", "Resultaat"] }, yAxis: { type: "value" },
      series: [{ type: "bar", data: [data.finances.budget, data.finances.spending, data.finances.result],
                 itemStyle: { color: "#01689b" } }]
    }));
  }
})();
</script>
)JS";
  }
  html += fmt::format(
      "<p class=\"note\">Samengesteld uit de registers van het instituut op basis van de vastgelegde "
      "gegevens over {}.</p>\n</body>\n</html>\n",
      year);
  report.html = std::move(html);
  return report;
}

Result<void> print_pdf(const std::filesystem::path& html_file, const std::filesystem::path& pdf_file) {
  std::string chromium;
  for (const char* candidate : {"/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"}) {
    if (std::filesystem::exists(candidate)) {
      chromium = candidate;
      break;
    }
  }
  if (chromium.empty())
    return fail(ErrorCode::kIo, "cannot print the PDF: Chromium is not installed (Debian package chromium)");
  const auto profile = std::filesystem::temp_directory_path() / fmt::format("rapporteur-chromium-{}", ::getpid());
  std::error_code ec;
  std::filesystem::remove(pdf_file, ec);
  std::vector<std::string> args = {chromium,
                                   "--headless",
                                   "--disable-gpu",
                                   "--no-sandbox",  // Needed as root (CI); the page is our own file.
                                   "--disable-dev-shm-usage",
                                   "--no-pdf-header-footer",
                                   "--user-data-dir=" + profile.string(),
                                   "--virtual-time-budget=10000",
                                   "--print-to-pdf=" + std::filesystem::absolute(pdf_file).string(),
                                   "file://" + std::filesystem::absolute(html_file).string()};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, chromium.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) return fail(ErrorCode::kIo, fmt::format("cannot start {}: {}", chromium, std::strerror(spawned)));
  int status = 0;
  waitpid(pid, &status, 0);
  std::filesystem::remove_all(profile, ec);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !std::filesystem::exists(pdf_file) ||
      std::filesystem::file_size(pdf_file) == 0) {
    return fail(ErrorCode::kIo, fmt::format("Chromium did not print {} (exit status {})", pdf_file.string(),
                                            WIFEXITED(status) ? WEXITSTATUS(status) : -1));
  }
  return ok();
}

}  // namespace rapporteur::account
