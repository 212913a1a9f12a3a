// Words for codes and the language's number and date formats: no code reaches a page or a
// chart. Internal to web.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "web/internal/html.h"
#include "web/internal/pages.h"

namespace rapporteur::web::internal {

// The word for a code in `language`: publication types, recommendation statuses, mandates,
// exploitation forms, languages, facet names and job statuses. An unknown code comes back
// as itself (escaped).
Html label(Language language, std::string_view code);

// The word for a code of a published table's dimension ("sex", "female" -> "vrouw" or
// "female"); `dutch_label` is the table's own (Dutch) label, returned for Dutch pages and for
// codes without an English word (place names).
std::string dimension_code_label(Language language, std::string_view dimension, std::string_view code,
                                 std::string_view dutch_label);
// The name of a dimension ("region" -> "regio" or "region").
std::string dimension_name(Language language, std::string_view dimension);
// The name of the level of `code` at `depth` in a dimension's hierarchy (region: "land",
// "politie-eenheid", "gemeente"; none for "unknown", which sits beside the police units);
// empty when the dimension's levels have no names of their own.
std::string level_name(Language language, std::string_view dimension, int depth, std::string_view code);

// 1500 -> "1.500" in Dutch, "1,500" in English; negative numbers with a minus sign.
std::string format_number(Language language, std::int64_t value);
// A share as a whole percentage: 0.4 -> "40%".
std::string format_percent(Language language, double share);
// "2024-03-05" -> "5 maart 2024" or "5 March 2024"; anything else unchanged.
std::string format_date(Language language, std::string_view iso_date);

}  // namespace rapporteur::web::internal
