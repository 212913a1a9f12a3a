// Text made safe to place in HTML element content and quoted attribute values.
#pragma once

#include <string>
#include <string_view>

namespace rapporteur {

// `text` with &, <, >, " and ' replaced by character references.
std::string escape_html(std::string_view text);

}  // namespace rapporteur
