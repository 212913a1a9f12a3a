#include "core/money.h"

#include <cstdlib>
#include <limits>

#include <fmt/format.h>

namespace rapporteur {

std::string format_euro(Cents amount) {
  const bool negative = amount.value < 0;
  // Work in unsigned so that the most negative value does not overflow on negation.
  const std::uint64_t magnitude =
      negative ? ~static_cast<std::uint64_t>(amount.value) + 1 : static_cast<std::uint64_t>(amount.value);
  std::string whole = std::to_string(magnitude / 100);
  std::string grouped;
  for (std::size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) {
      grouped += '.';
    }
    grouped += whole[i];
  }
  return fmt::format("{}€ {},{:02}", negative ? "-" : "", grouped, magnitude % 100);
}

Result<Cents> parse_euro(std::string_view text) {
  const auto invalid = [&](std::string_view why) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("amount '{}' is not a euro amount: {}", text, why));
  };
  std::string_view rest = text;
  const auto trim = [&] {
    while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
    while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  };
  trim();
  bool negative = false;
  if (!rest.empty() && rest.front() == '-') {
    negative = true;
    rest.remove_prefix(1);
    trim();
  }
  constexpr std::string_view kEuroSign = "€";
  if (rest.starts_with(kEuroSign)) {
    rest.remove_prefix(kEuroSign.size());
    trim();
  }
  if (rest.empty()) {
    return invalid("no digits");
  }
  // The decimal separator is the last ',' or '.', unless a lone '.' is followed by exactly
  // three digits, which reads as a Dutch thousands separator as often as a decimal point.
  const auto last_comma = rest.rfind(',');
  const auto last_dot = rest.rfind('.');
  std::size_t decimal_at = std::string_view::npos;
  char thousands = 0;
  if (last_comma != std::string_view::npos && (last_dot == std::string_view::npos || last_comma > last_dot)) {
    decimal_at = last_comma;
    thousands = '.';
  } else if (last_dot != std::string_view::npos) {
    const bool single_dot = rest.find('.') == last_dot;
    const bool has_comma = last_comma != std::string_view::npos;
    if (single_dot && !has_comma && rest.size() - last_dot - 1 == 3) {
      return invalid("ambiguous separator; write 1234 or 1.234,00");
    }
    if (single_dot || has_comma) {
      decimal_at = last_dot;
      thousands = ',';
    } else {
      thousands = '.';
    }
  }
  const std::string_view whole = rest.substr(0, decimal_at);
  const std::string_view fraction =
      decimal_at == std::string_view::npos ? std::string_view{} : rest.substr(decimal_at + 1);
  if (decimal_at != std::string_view::npos && (fraction.empty() || fraction.size() > 2)) {
    return invalid("expected one or two decimals (cents are exact)");
  }
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max() / 100 - 1;
  std::int64_t euros = 0;
  bool any_digit = false;
  for (const char c : whole) {
    if (c == thousands) {
      continue;
    }
    if (c < '0' || c > '9') {
      return invalid(fmt::format("unexpected character '{}'", c));
    }
    if (euros > kMax / 10) {
      return invalid("too large");
    }
    euros = euros * 10 + (c - '0');
    any_digit = true;
  }
  if (!any_digit) {
    return invalid("no digits before the decimal separator");
  }
  std::int64_t cents = 0;
  for (std::size_t i = 0; i < 2; ++i) {
    const char c = i < fraction.size() ? fraction[i] : '0';
    if (c < '0' || c > '9') {
      return invalid(fmt::format("unexpected character '{}'", c));
    }
    cents = cents * 10 + (c - '0');
  }
  const std::int64_t total = euros * 100 + cents;
  return Cents{negative ? -total : total};
}

}  // namespace rapporteur
