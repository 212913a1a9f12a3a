// The result of an estimate job on the staff job page: every interval the run computed, open
// bounds as open, reasons for not estimable, the national estimate and the sum of the strata,
// runner-up models, the sensitivity table and the warnings, with Dutch labels.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "app/warnings.h"
#include "web/internal/estimate_text.h"

namespace rapporteur::web::internal {
namespace {

using nlohmann::json;

// "a:b,c:d" -> "a:b, c:d", so long model terms wrap.
std::string spaced(const std::string& terms) {
  std::string out;
  for (const char c : terms) {
    out += c;
    if (c == ',') out += ' ';
  }
  return out;
}

Html whole(Language language, const json& j, const char* key) {
  return j.contains(key) && j[key].is_number() ? Html::escape(format_number(language, j[key].get<double>()))
                                               : Html("–");
}

// "low – high", an upper bound the profile did not reach as "> high".
Html interval(Language language, const json& j, const char* low, const char* high, bool high_open = false) {
  if (!j.contains(low) || !j[low].is_number()) return Html("–");
  return html("{} – {}{}", whole(language, j, low), high_open ? Html("&gt; ") : Html(""), whole(language, j, high));
}

struct Row {
  std::string name;
  const json* stratum;
  bool national;
};

Html stratum_row(Language language, const Row& row) {
  const json& s = *row.stratum;
  const json recommended = s.value("recommended", json::object());
  const Html name = row.national ? html("<strong>{}</strong>", Html::escape(row.name)) : Html::escape(row.name);
  if (!s.value("estimable", false) && !recommended.contains("total")) {
    return html("<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td colspan=\"7\">{}: {}</td></tr>\n", name,
                whole(language, s, "observed"), t(language, "niet te schatten", "not estimable"),
                Html::escape(s.value("error", recommended.value("error", ""))));
  }
  const json bootstrap = s.value("bootstrap", json::object());
  const json latent = recommended.value("latent_class", json::object());
  const bool estimable = s.value("estimable", false);
  return html(
      "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\"><strong>{}</strong></td><td "
      "class=\"num\">{}</td>"
      "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td "
      "class=\"num\">{}</td>"
      "<td>{}</td></tr>\n",
      name, whole(language, s, "observed"), whole(language, recommended, "total"),
      interval(language, recommended, "low", "high"), estimable ? whole(language, s, "estimate_total") : Html("–"),
      estimable ? interval(language, s, "ci_low", "ci_high", !s.value("ci_upper_found", true))
                : html("{}: {}", t(language, "niet te schatten", "not estimable"), Html::escape(s.value("error", ""))),
      interval(language, s, "lognormal_ci_low", "lognormal_ci_high"),
      bootstrap.contains("bca_low") ? interval(language, bootstrap, "bca_low", "bca_high") : Html("–"),
      latent.contains("median")
          ? html("{} ({})", whole(language, latent, "median"), interval(language, latent, "low", "high"))
          : Html("–"),
      Html::escape(spaced(s.value("terms", ""))));
}

// The runner-up models and the sensitivity table of one stratum, folded away.
Html details(Language language, const Row& row) {
  const json& s = *row.stratum;
  if (!s.value("estimable", false)) return Html("");
  const std::string criterion = s.value("criterion", "bic") == "aic" ? "AIC" : "BIC";
  Html runners;
  int shown = 0;
  for (const auto& m : s.value("models", json::array())) {
    if (!m.value("estimable", false) || ++shown > 6) break;
    runners += html("<tr><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
                    Html::escape(std::to_string(shown)), Html::escape(spaced(m.value("terms", ""))),
                    Html::escape(format_number(language, m.value(criterion == "AIC" ? "aic" : "bic", 0.0), 2)),
                    whole(language, m, "estimate_total"));
  }
  Html sensitivity;
  for (const auto& p : s.value("sensitivity", json::array())) {
    sensitivity += p.value("estimable", false)
                       ? html("<tr><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>\n",
                              Html::escape(p.value("procedure", "")), whole(language, p, "total"),
                              interval(language, p, "low", "high"), Html::escape(spaced(p.value("terms", ""))))
                       : html("<tr><td>{}</td><td colspan=\"3\">{}</td></tr>\n", Html::escape(p.value("procedure", "")),
                              t(language, "niet te schatten", "not estimable"));
  }
  return html(R"(<details><summary>{} {}</summary>
<table><caption>{} ({})</caption><thead><tr><th class="num">#</th><th>{}</th><th class="num">{}</th><th class="num">{}</th></tr></thead><tbody>
{}</tbody></table>
{}</details>
)",
              t(language, "Modellen en gevoeligheid:", "Models and sensitivity:"), Html::escape(row.name),
              t(language, "Beste modellen", "Runner-up models"), Html::escape(criterion), t(language, "Model", "Model"),
              Html::escape(criterion), t(language, "Schatting", "Estimate"), runners,
              sensitivity.str().empty()
                  ? Html("")
                  : html("<table><caption>{}</caption><thead><tr><th>{}</th><th class=\"num\">{}</th><th "
                         "class=\"num\">{}</th><th>{}</th></tr></thead><tbody>\n{}</tbody></table>\n",
                         t(language, "Gevoeligheid: de schatting onder elke procedure",
                           "Sensitivity: the estimate under each procedure"),
                         t(language, "Procedure", "Procedure"), t(language, "Schatting", "Estimate"),
                         t(language, "95%-interval (log-normaal)", "95% interval (log-normal)"),
                         t(language, "Model", "Model"), sensitivity));
}

}  // namespace

Html render_estimate_result(Language language, const std::string& output) {
  const auto parsed = json::parse(output, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) return Html("");
  std::vector<Row> rows;
  const std::string national_name = dutch(language) ? "Heel Nederland" : "The Netherlands";
  if (parsed.contains("strata")) {
    for (const auto& s : parsed["strata"]) rows.push_back({s.value("stratum", ""), &s, false});
    if (parsed.contains("national")) rows.push_back({national_name, &parsed["national"], true});
  } else {
    rows.push_back({national_name, &parsed, true});
  }
  Html body;
  Html folded;
  Html warnings;
  json chart = json::array();
  for (const Row& row : rows) {
    body += stratum_row(language, row);
    folded += details(language, row);
    const json& s = *row.stratum;
    const json recommended = s.value("recommended", json::object());
    std::vector<std::string> texts;
    for (const auto& w : recommended.value("warnings", json::array())) texts.push_back(w.get<std::string>());
    for (const auto& w : s.value("warnings", json::array())) {
      if (std::find(texts.begin(), texts.end(), w.get<std::string>()) == texts.end())
        texts.push_back(w.get<std::string>());
    }
    for (const auto& text : texts) {
      const app::CodedWarning coded = app::code_warning(text);
      warnings += html("<li><strong>{}</strong>: {}</li>\n", Html::escape(row.name),
                       Html::escape(describe_warning(language, coded.code, coded.values, coded.text)));
    }
    if (recommended.contains("total")) {
      chart.push_back({{"name", row.name},
                       {"observed", s.value("observed", 0)},
                       {"estimate", recommended.value("total", 0.0)},
                       {"low", recommended.value("low", 0.0)},
                       {"high", recommended.value("high", 0.0)}});
    }
  }
  if (parsed.contains("strata")) {
    body += html(
        "<tr class=\"total\"><th scope=\"row\">{}</th><td></td><td class=\"num\">{}</td><td></td><td "
        "class=\"num\">{}</td>"
        "<td colspan=\"5\">{}</td></tr>\n",
        t(language, "Som van de strata", "Sum of the strata"), whole(language, parsed, "recommended_total_of_strata"),
        whole(language, parsed, "total_of_strata"),
        t(language, "een som heeft geen eigen interval; zie de landelijke schatting",
          "a sum has no interval of its own; see the national estimate"));
  }
  // How far the total moves when the year is linked more strictly or more loosely (app::estimate).
  if (const auto spread = parsed.value("linkage_spread", json::object()); spread.contains("low")) {
    body += html("<tr><th scope=\"row\">{}</th><td></td><td class=\"num\">{} – {}</td><td colspan=\"7\">{}</td></tr>\n",
                 t(language, "Spreiding door de koppeling", "Linkage spread"), whole(language, spread, "low"),
                 whole(language, spread, "high"),
                 t(language, "de schatting bij een strengere en een ruimere koppeling",
                   "the estimate on a stricter and a looser linkage"));
  }
  return html(
      R"(<div id="estimate-chart" class="chart" data-estimates="{}" role="img" aria-label="{}"></div>
<div class="scroll"><table><thead><tr><th scope="col">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col">{}</th></tr></thead><tbody>
{}</tbody></table></div>
<p>{}</p>
{}{}
<script src="/static/vendor/echarts.min.js"></script><script src="/static/staff.js"></script>)",
      Html::escape(chart.dump()), t(language, "Schattingen met intervallen", "Estimates with intervals"),
      t(language, "Stratum", "Stratum"), t(language, "Geregistreerd", "Registered"),
      t(language, "Aanbevolen schatting", "Recommended estimate"), t(language, "95%-interval", "95% interval"),
      t(language, "Gekozen model", "Selected model"), t(language, "95%-interval (profiel)", "95% interval (profile)"),
      t(language, "95%-interval (log-normaal)", "95% interval (log-normal)"),
      t(language, "95%-interval (bootstrap BCa)", "95% interval (bootstrap BCa)"),
      t(language, "Latente klassen (mediaan, interval)", "Latent class (median, interval)"),
      t(language, "Model", "Model"), body,
      t(language,
        "De aanbevolen schatting is het gemiddelde over de log-lineaire modellen met AIC-gewichten: in de "
        "simulatiestudie (docs/estimation.md) dekte haar interval de werkelijke omvang het vaakst, ook bij verborgen "
        "verschillen in zichtbaarheid. Een bovengrens met > is open: het profielinterval bereikte haar niet.",
        "The recommended estimate is the average over the log-linear models with AIC weights: in the simulation "
        "study (docs/estimation.md) its interval covered the true size most often, also under hidden differences "
        "in visibility. An upper bound with > is open: the profile interval did not reach it."),
      folded,
      warnings.str().empty()
          ? Html("")
          : html("<h2>{}</h2><ul class=\"warnings\">{}</ul>", t(language, "Waarschuwingen", "Warnings"), warnings));
}

}  // namespace rapporteur::web::internal
