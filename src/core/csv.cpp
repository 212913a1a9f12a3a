#include "core/csv.h"

#include <cctype>

namespace rapporteur {
namespace {

// A sign, digits with at most one decimal point, and at least one digit: "-12", "+3.5".
bool plain_number(std::string_view value) {
  std::size_t i = 0;
  if (i < value.size() && (value[i] == '-' || value[i] == '+')) ++i;
  bool digit = false;
  bool point = false;
  for (; i < value.size(); ++i) {
    const char c = value[i];
    if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
      digit = true;
    } else if (c == '.' && !point) {
      point = true;
    } else {
      return false;
    }
  }
  return digit;
}

bool formula_like(std::string_view value) {
  if (value.empty()) return false;
  switch (value.front()) {
    case '=':
    case '@':
    case '\t':
    case '\r':
      return true;
    case '+':
    case '-':
      return !plain_number(value);
    default:
      return false;
  }
}

}  // namespace

std::string csv_field(std::string_view value) {
  std::string text;
  if (formula_like(value)) text = "'";
  text += value;
  const bool padded = !text.empty() && (text.front() == ' ' || text.back() == ' ');
  if (!padded && text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (const char c : text) {
    quoted += c;
    if (c == '"') quoted += '"';
  }
  return quoted + "\"";
}

}  // namespace rapporteur
