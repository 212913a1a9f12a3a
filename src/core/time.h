// The current time as the store writes it.
#pragma once

#include <string>

namespace rapporteur {

// UTC now as ISO 8601 to the second, e.g. "2026-12-06T18:45:00Z".
std::string utc_now_iso();
// Today's UTC date, e.g. "2026-12-06".
std::string utc_today();

}  // namespace rapporteur
