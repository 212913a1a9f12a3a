#include "core/csv.h"

namespace rapporteur {

std::string csv_field(std::string_view value) {
  const bool padded = !value.empty() && (value.front() == ' ' || value.back() == ' ');
  if (!padded && value.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(value);
  std::string quoted = "\"";
  for (const char c : value) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

}  // namespace rapporteur
