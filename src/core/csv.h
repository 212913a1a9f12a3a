// One field of RFC 4180 CSV.
#pragma once

#include <string>
#include <string_view>

namespace rapporteur {

// `value` as a CSV field: as it is, or in double quotes (inner quotes doubled) when it holds a
// comma, a quote, a CR or an LF, or begins or ends with a space.
std::string csv_field(std::string_view value);

}  // namespace rapporteur
