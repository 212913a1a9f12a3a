// Knowledge base pages: search with facets and snippets (works without JavaScript; search.js
// swaps in result fragments), publication and recommendation pages.
#include <algorithm>
#include <map>
#include <set>

#include <fmt/format.h>

#include "web/internal/html.h"
#include "web/internal/labels.h"
#include "web/internal/pages.h"

namespace rapporteur::web::internal {
namespace {

Html lang_code(Language language) { return dutch(language) ? Html("nl") : Html("en"); }

std::string get(const Parameters& parameters, std::string_view name) {
  for (const auto& [key, value] : parameters) {
    if (key == name) return value;
  }
  return "";
}

// The search URL for `parameters` with `name` set to `value` ("" removes it); a change of
// filter returns to the first page.
std::string search_url(const Parameters& parameters, std::string_view name, std::string_view value) {
  std::string url = "/zoeken?";
  bool first = true;
  const auto add = [&](std::string_view key, std::string_view v) {
    if (v.empty()) return;
    url += first ? "" : "&";
    first = false;
    url += url_encode(key) + "=" + url_encode(v);
  };
  bool replaced = false;
  for (const auto& [key, v] : parameters) {
    if (key == "page" && name != "page") continue;
    if (key == name) {
      add(key, value);
      replaced = true;
    } else {
      add(key, v);
    }
  }
  if (!replaced) add(name, value);
  return url;
}

Html snippet_html(const std::vector<kb::SnippetPart>& parts) {
  Html out;
  for (const auto& part : parts) {
    out += part.highlighted ? html("<mark>{}</mark>", Html::escape(part.text)) : Html::escape(part.text);
  }
  return out;
}

Html hit_link(Language language, const kb::Hit& hit) {
  if (hit.kind == "recommendation") {
    return html("/aanbevelingen/{}/{}?lang={}", Html::escape(hit.slug), Html::escape(std::to_string(hit.number)),
                lang_code(language));
  }
  return html("/publicaties/{}?lang={}", Html::escape(hit.slug), lang_code(language));
}

Html results_region(Language language, const Parameters& parameters, const kb::SearchResult* result,
                    std::string_view error, int page_size) {
  if (!error.empty()) return html("<p class=\"panel\" role=\"alert\">{}</p>", Html::escape(error));
  if (result == nullptr) return Html("");
  Html out;
  if (result->suggestion) {
    const Html link = html("<a href=\"{}\">{}</a>", Html::escape(search_url(parameters, "q", *result->suggestion)),
                           Html::escape(*result->suggestion));
    out += result->corrected ? html("<p class=\"panel\">{} {}</p>\n",
                                    t(language, "Niets gevonden voor uw zoekvraag; dit zijn de resultaten voor",
                                      "Nothing found for your query; these are the results for"),
                                    link)
                             : html("<p class=\"panel\">{} {}?</p>\n", t(language, "Bedoelde u", "Did you mean"), link);
  }
  out += html("<p class=\"muted\" id=\"count\">{} {}</p>\n", Html::escape(std::to_string(result->total)),
              result->total == 1 ? t(language, "resultaat", "result") : t(language, "resultaten", "results"));
  Html facets;
  for (const char* name : {"type", "year", "theme", "form", "status", "language"}) {
    const auto found = result->facets.find(name);
    const std::string selected = get(parameters, name);
    if (found == result->facets.end() || (found->second.empty() && selected.empty())) continue;
    Html items;
    for (const auto& value : found->second) {
      const bool on = value.value == selected;
      items += html("<li><a href=\"{}\"{}>{} <span class=\"muted\">({})</span>{}</a></li>\n",
                    Html::escape(search_url(parameters, name, on ? "" : value.value)),
                    on ? Html(" aria-current=\"true\" class=\"on\"") : Html(""),
                    std::string_view(name) == "year" ? Html::escape(value.value) : label(language, value.value),
                    Html::escape(std::to_string(value.count)), on ? Html(" ✕") : Html(""));
    }
    facets += html("<h2>{}</h2>\n<ul>\n{}</ul>\n", label(language, name), items);
  }
  Html hits;
  for (const auto& hit : result->hits) {
    Html meta = label(language, hit.type) + html(" · {}", Html::escape(format_date(language, hit.date)));
    if (hit.kind == "recommendation")
      meta += html(" · <span class=\"status {}\">{}</span>", Html::escape(hit.status), label(language, hit.status));
    hits += html("<li><a href=\"{}\">{}</a>\n<p class=\"muted\">{}</p>\n<p class=\"snippet\">{}</p></li>\n",
                 hit_link(language, hit), Html::escape(hit.title), meta, snippet_html(hit.snippet));
  }
  const int page = std::max(1, std::atoi(get(parameters, "page").c_str()));
  Html pager;
  if (page > 1) {
    pager += html("<a rel=\"prev\" href=\"{}\">{}</a> ",
                  Html::escape(search_url(parameters, "page", std::to_string(page - 1))),
                  t(language, "« Vorige", "« Previous"));
  }
  if (static_cast<std::int64_t>(page) * page_size < result->total) {
    pager += html("<a rel=\"next\" href=\"{}\">{}</a>",
                  Html::escape(search_url(parameters, "page", std::to_string(page + 1))),
                  t(language, "Volgende »", "Next »"));
  }
  out += html(
      "<div class=\"kb\">\n<aside class=\"facets\" aria-label=\"{}\">\n{}</aside>\n<div>\n<ol "
      "class=\"hits\">\n{}</ol>\n<nav class=\"pager\">{}</nav>\n</div>\n</div>\n",
      t(language, "Filters", "Filters"), facets, hits, pager);
  return out;
}

Html history_html(Language language, const Recommendation& r) {
  if (r.history.empty()) return Html("");
  Html items;
  for (const auto& event : r.history) {
    items += html("<li><time datetime=\"{}\">{}</time>{} {}</li>\n", Html::escape(event.date),
                  Html::escape(format_date(language, event.date)),
                  event.status ? html(" <span class=\"status {}\">{}</span>", Html::escape(to_code(*event.status)),
                                      label(language, to_code(*event.status)))
                               : Html(""),
                  Html::escape(event.note));
  }
  return html("<ol class=\"history\">\n{}</ol>\n", items);
}

Html recommendation_item(Language language, const Recommendation& r, const Html& publication_title) {
  // The link names the recommendation by its own words.
  return html(R"(<li id="{}-{}"><p><a href="/aanbevelingen/{}/{}?lang={}">{}</a> · <span class="status {}">{}</span></p>
<p class="muted">{} {} · {}: {} · {} {}</p>
{}</li>
)",
              Html::escape(r.publication_slug), Html::escape(std::to_string(r.number)),
              Html::escape(r.publication_slug), Html::escape(std::to_string(r.number)), lang_code(language),
              Html::escape(r.text), Html::escape(to_code(r.status)), label(language, to_code(r.status)),
              t(language, "Aanbeveling", "Recommendation"), Html::escape(std::to_string(r.number)),
              t(language, "Aan", "To"), Html::escape(r.addressee), t(language, "uit", "from"), publication_title,
              history_html(language, r));
}

Html overview_table(Language language, const char* heading_nl, const char* heading_en,
                    const std::vector<kb::RecommendationSummary>& rows) {
  Html body;
  const auto n = [&](std::int64_t v) { return Html::escape(format_number(language, v)); };
  for (const auto& s : rows) {
    body += html(
        "<tr><th scope=\"row\">{}</th><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>"
        "<td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td></tr>\n",
        Html::escape(s.key), n(s.total), n(s.answered), n(s.adopted), n(s.partly), n(s.rejected),
        s.answered == 0 ? Html("&ndash;") : Html::escape(format_percent(language, s.adopted_share)), n(s.pending));
  }
  return html(R"(<div class="scroll" tabindex="0"><table class="overview">
<thead><tr><th scope="col">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th><th scope="col" class="num">{}</th></tr></thead>
<tbody>
{}</tbody>
</table></div>
)",
              t(language, heading_nl, heading_en), t(language, "totaal", "total"),
              t(language, "beantwoord", "answered"), label(language, "adopted"), label(language, "partly_adopted"),
              label(language, "rejected"), t(language, "% overgenomen van beantwoord", "% adopted of answered"),
              label(language, "pending"), body);
}

}  // namespace

std::string url_encode(std::string_view text) {
  std::string out;
  for (const unsigned char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string render_search(Language language, const Parameters& parameters, const kb::SearchResult* result,
                          std::string_view error, int page_size, bool fragment) {
  const Html results = results_region(language, parameters, result, error, page_size);
  if (fragment) return results.str();
  Html hidden;
  for (const char* name : {"type", "year", "theme", "form", "status", "language"}) {
    const std::string value = get(parameters, name);
    if (!value.empty())
      hidden += html("<input type=\"hidden\" name=\"{}\" value=\"{}\">", Html::escape(name), Html::escape(value));
  }
  const bool by_date = get(parameters, "sort") == "date";
  const Html body =
      html(R"(<h1>{}</h1>
<form role="search" action="/zoeken" method="get" id="search-form" class="panel">
<label for="q">{}</label>
<div class="search-row"><input id="q" name="q" type="search" value="{}" autocomplete="off">
<select name="sort" aria-label="{}"><option value="relevance"{}>{}</option><option value="date"{}>{}</option></select>
<input type="hidden" name="lang" value="{}">{}
<button type="submit">{}</button></div>
<p class="muted">{}</p>
</form>
<div id="results" aria-live="polite">
{}</div>
<script src="/static/search.js" defer></script>)",
           t(language, "Kennisbank", "Knowledge base"),
           t(language, "Zoek in publicaties en aanbevelingen", "Search publications and recommendations"),
           Html::escape(get(parameters, "q")), t(language, "Sorteren", "Sort"), by_date ? Html("") : Html(" selected"),
           t(language, "relevantie", "relevance"), by_date ? Html(" selected") : Html(""), t(language, "datum", "date"),
           lang_code(language), hidden, t(language, "Zoeken", "Search"),
           t(language, "Tip: \"woorden tussen aanhalingstekens\" zoeken een zinsdeel; OR, NOT en -woord verfijnen.",
             "Tip: \"words in quotes\" search a phrase; OR, NOT and -word refine."),
           results);
  return render_layout(language, t(language, "Kennisbank", "Knowledge base"), body);
}

std::string render_publication(Language language, const Publication& p,
                               const std::vector<Recommendation>& recommendations,
                               const std::vector<std::pair<std::string, std::string>>& tables) {
  Html themes;
  for (const auto m : p.mandates) themes += html("<span class=\"tag\">{}</span> ", label(language, to_code(m)));
  for (const auto f : p.forms) themes += html("<span class=\"tag\">{}</span> ", label(language, to_code(f)));
  Html paragraphs;
  std::size_t at = 0;
  while (at < p.body.size()) {
    const std::size_t end = std::min(p.body.find("\n\n", at), p.body.size());
    paragraphs += html("<p>{}</p>\n", Html::escape(std::string_view(p.body).substr(at, end - at)));
    at = end + 2;
  }
  Html recs;
  for (const auto& r : recommendations) {
    if (r.publication_slug == p.slug) recs += recommendation_item(language, r, Html::escape(p.title));
  }
  const Html download = p.file_sha256.empty() ? Html("")
                                              : html("<p><a href=\"/publicaties/{}/bestand\" download>{} {}</a></p>\n",
                                                     Html::escape(p.slug), t(language, "Download", "Download"),
                                                     Html::escape(p.file_name));
  Html figures;
  for (const auto& [name, title] : tables) {
    figures += html("<li><a href=\"/cijfers/{}?lang={}\">{}</a></li>", Html::escape(name), lang_code(language),
                    Html::escape(title));
  }
  if (!tables.empty()) {
    figures = html("<section><h2>{}</h2>\n<ul class=\"figures\">{}</ul></section>\n",
                   t(language, "Cijfers bij deze publicatie", "Figures in this publication"), figures);
  }
  const Html body = html(
      R"(<p><a href="/zoeken?lang={}">{}</a></p>
<article>
<h1>{}</h1>
<p class="muted">{} · <time>{}</time> · {}</p>
<p>{}</p>
{}{}
{}{}<section class="body" lang="{}">
{}</section>
</article>)",
      lang_code(language), t(language, "« Kennisbank", "« Knowledge base"), Html::escape(p.title),
      label(language, to_code(p.type)), Html::escape(format_date(language, p.date)), label(language, p.language),
      themes, p.summary.empty() ? Html("") : html("<p class=\"panel\">{}</p>\n", Html::escape(p.summary)), download,
      recs.str().empty() ? Html("")
                         : html("<section><h2>{}</h2>\n<ol class=\"recs\">\n{}</ol></section>\n",
                                t(language, "Aanbevelingen", "Recommendations"), recs),
      figures, Html::escape(p.language), paragraphs);
  return render_layout(language, Html::escape(p.title), body);
}

std::string render_recommendations(Language language, const std::vector<Recommendation>& recommendations,
                                   const std::vector<Publication>& publications, const Parameters& parameters) {
  std::map<std::string, std::string> titles;
  for (const auto& p : publications) titles[p.slug] = p.title;
  const std::string status = get(parameters, "status");
  const std::string addressee = get(parameters, "addressee");
  const std::string year = get(parameters, "year");
  std::set<std::string> addressees;
  std::set<std::string> years;
  std::vector<Recommendation> chosen;
  for (const auto& r : recommendations) {
    addressees.insert(r.addressee);
    years.insert(std::to_string(r.year));
    if ((status.empty() || to_code(r.status) == status) && (addressee.empty() || r.addressee == addressee) &&
        (year.empty() || std::to_string(r.year) == year)) {
      chosen.push_back(r);
    }
  }
  const kb::RecommendationOverview overview = kb::summarise(chosen);
  Html items;
  for (auto it = chosen.rbegin(); it != chosen.rend(); ++it) {
    items += recommendation_item(language, *it,
                                 html("<a href=\"/publicaties/{}?lang={}\">{}</a>", Html::escape(it->publication_slug),
                                      lang_code(language), Html::escape(titles[it->publication_slug])));
  }
  const auto select = [&](const char* name, const char* nl, const char* en,
                          const std::vector<std::pair<std::string, std::string>>& options,
                          const std::string& selected) {
    Html out = html("<option value=\"\">{}</option>", t(language, "alle", "all"));
    for (const auto& [value, text] : options) {
      out += html("<option value=\"{}\"{}>{}</option>", Html::escape(value),
                  value == selected ? Html(" selected") : Html(""), Html::escape(text));
    }
    return html("<div><label for=\"f-{}\">{}</label>\n<select id=\"f-{}\" name=\"{}\">{}</select></div>\n",
                Html::escape(name), t(language, nl, en), Html::escape(name), Html::escape(name), out);
  };
  std::vector<std::pair<std::string, std::string>> statuses;
  for (const char* code : {"adopted", "partly_adopted", "rejected", "pending"})
    statuses.emplace_back(code, label(language, code).str());
  std::vector<std::pair<std::string, std::string>> addressee_options;
  for (const auto& a : addressees) addressee_options.emplace_back(a, a);
  std::vector<std::pair<std::string, std::string>> year_options;
  for (auto y = years.rbegin(); y != years.rend(); ++y) year_options.emplace_back(*y, *y);
  // The totals of the chosen ones, in words: the share over the answered, the pending apart.
  kb::RecommendationSummary all;
  for (const auto& s : overview.by_year) {
    all.total += s.total;
    all.adopted += s.adopted;
    all.partly += s.partly;
    all.rejected += s.rejected;
    all.pending += s.pending;
  }
  all.answered = all.total - all.pending;
  const std::string share =
      all.answered == 0
          ? "–"
          : format_percent(language, static_cast<double>(all.adopted) / static_cast<double>(all.answered));
  const std::string summary =
      dutch(language)
          ? fmt::format(
                "{} aanbevelingen. Van de {} beantwoorde zijn er {} overgenomen ({}), {} deels en {} niet; op {} wacht "
                "de "
                "rapporteur nog op een reactie.",
                all.total, all.answered, all.adopted, share, all.partly, all.rejected, all.pending)
          : fmt::format(
                "{} recommendations. Of the {} answered, {} were adopted ({}), {} partly and {} not; {} still await a "
                "response.",
                all.total, all.answered, all.adopted, share, all.partly, all.rejected, all.pending);
  const Html body =
      html(R"(<h1>{}</h1>
<p>{}</p>
<form class="panel view" method="get" action="/aanbevelingen">
<input type="hidden" name="lang" value="{}">
{}{}{}<div><button type="submit">{}</button></div>
</form>
<p class="panel" id="summary">{}</p>
<section><h2>{}</h2>
{}</section>
<section><h2>{}</h2>
{}</section>
<section><h2>{}</h2>
<ol class="recs">
{}</ol></section>)",
           t(language, "Aanbevelingen en hun opvolging", "Recommendations and their follow-up"),
           t(language, "De rapporteur doet aanbevelingen aan de regering en volgt wat ermee gebeurt.",
             "The rapporteur makes recommendations to government and follows what becomes of them."),
           lang_code(language), select("status", "Reactie", "Response", statuses, status),
           select("addressee", "Geadresseerde", "Addressee", addressee_options, addressee),
           select("year", "Jaar", "Year", year_options, year), t(language, "Filteren", "Filter"), Html::escape(summary),
           t(language, "Per jaar", "By year"), overview_table(language, "jaar", "year", overview.by_year),
           t(language, "Per geadresseerde", "By addressee"),
           overview_table(language, "geadresseerde", "addressee", overview.by_addressee),
           t(language, "De aanbevelingen", "The recommendations"), items);
  return render_layout(language, t(language, "Aanbevelingen", "Recommendations"), body);
}

std::string render_recommendation(Language language, const Recommendation& r, const Publication& p) {
  const Html body = html(R"(<p><a href="/aanbevelingen?lang={}">{}</a></p>
<h1>{} {}</h1>
<ol class="recs">
{}</ol>)",
                         lang_code(language), t(language, "« Alle aanbevelingen", "« All recommendations"),
                         t(language, "Aanbeveling", "Recommendation"), Html::escape(std::to_string(r.number)),
                         recommendation_item(language, r,
                                             html("<a href=\"/publicaties/{}?lang={}\">{}</a>", Html::escape(p.slug),
                                                  lang_code(language), Html::escape(p.title))));
  return render_layout(language, t(language, "Aanbeveling", "Recommendation"), body);
}

}  // namespace rapporteur::web::internal
