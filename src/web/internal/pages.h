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
std::string render_error_page(Language language, int status, std::string_view message);

}  // namespace rapporteur::web::internal
