// Server-rendered pages, Dutch first with English as the alternative.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/domain.h"
#include "kb/kb.h"
#include "web/internal/html.h"

namespace rapporteur::web::internal {

enum class Language { kDutch, kEnglish };

inline bool dutch(Language language) { return language == Language::kDutch; }
// A page's words: `nl` on a Dutch page, `en` on an English one, escaped.
inline Html t(Language language, const char* nl, const char* en) { return Html::escape(dutch(language) ? nl : en); }

// "en" selects English; anything else (including nothing) Dutch.
Language language_of(std::string_view parameter);

// A key figure of the home page: a published table's total per year (nothing when suppressed).
struct KeyFigure {
  std::string table;     // The published table it comes from.
  std::string title_nl;  // E.g. "Geregistreerde slachtoffers van mensenhandel".
  std::string title_en;
  std::vector<std::pair<std::string, std::optional<std::int64_t>>> years;  // In order.
};

// The home page: a search box, the key figures (the latest year's number, its change and a
// chart over the years when `chart_available`), the latest publications (newest first, as the
// store lists them) and the sources.
std::string render_home(Language language, const std::vector<Source>& sources,
                        const std::vector<Publication>& publications, const std::vector<KeyFigure>& figures,
                        bool chart_available);
// The list of published tables: (name, title) pairs (figure_pages.cpp).
std::string render_figures_index(Language language, const std::vector<std::pair<std::string, std::string>>& tables);
// The open-data page (open_data_page.cpp): the public endpoints of `openapi_json` with their
// parameters, and the definitions of the tables' dimensions.
std::string render_open_data(Language language, std::string_view openapi_json);
// The OpenAPI viewer (Swagger UI, vendored from npm at build time) on the public document; a
// note pointing to render_open_data's page when the build has no viewer.
std::string render_open_data_viewer(Language language, bool viewer_available);
std::string render_error_page(Language language, int status, std::string_view message);

// The page frame (header, navigation, footer) around `body`.
std::string render_layout(Language language, const Html& title, const Html& body);

// Knowledge base pages (kb_pages.cpp). `parameters` are the search form's query parameters
// (q, type, year, theme, form, status, language, sort, page); `fragment` renders only the
// results region that search.js swaps in.
using Parameters = std::vector<std::pair<std::string, std::string>>;
std::string render_search(Language language, const Parameters& parameters, const kb::SearchResult* result,
                          std::string_view error, int page_size, bool fragment);
// `tables`: the published tables the publication reports on, by name and title in the page's
// language (names not published now are left out by the caller).
std::string render_publication(Language language, const Publication& publication,
                               const std::vector<Recommendation>& recommendations,
                               const std::vector<std::pair<std::string, std::string>>& tables = {});
// The recommendations chosen by `parameters` (status, addressee, year; empty: all), their
// overview per year and per addressee (the share adopted over the answered ones, the pending
// apart) and the filter form.
std::string render_recommendations(Language language, const std::vector<Recommendation>& recommendations,
                                   const std::vector<Publication>& publications, const Parameters& parameters);
std::string render_recommendation(Language language, const Recommendation& recommendation,
                                  const Publication& publication);
// Percent-encodes a query-string component.
std::string url_encode(std::string_view text);

}  // namespace rapporteur::web::internal
