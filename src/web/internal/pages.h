// Server-rendered pages, Dutch first with English as the alternative.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/domain.h"

namespace rapporteur::web::internal {

enum class Language { kDutch, kEnglish };

// "en" selects English; anything else (including nothing) Dutch.
Language language_of(std::string_view parameter);

std::string render_home(Language language, const std::vector<Source>& sources,
                        const std::vector<Publication>& publications);
// The list of published tables: (name, title) pairs.
std::string render_figures_index(Language language, const std::vector<std::pair<std::string, std::string>>& tables);
// One published table (its JSON as `rapporteur publish` writes it): title, metadata, a chart
// holder, the table (rows: the first dimension other than year, with its hierarchy; columns:
// the years; the other dimensions at their totals) and download links.
std::string render_figure(Language language, const std::string& name, const std::string& table_json,
                          bool chart_available);
std::string render_error_page(Language language, int status, std::string_view message);

}  // namespace rapporteur::web::internal
