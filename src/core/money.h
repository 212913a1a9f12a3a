// Money as integer euro cents: amounts are exact, never floating point.
#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace rapporteur {

// An amount in euro cents. Thread-compatible value type.
struct Cents {
  std::int64_t value = 0;

  friend auto operator<=>(const Cents&, const Cents&) = default;
  friend Cents operator+(Cents a, Cents b) { return {a.value + b.value}; }
  friend Cents operator-(Cents a, Cents b) { return {a.value - b.value}; }
};

// Returns `amount` in Dutch notation, e.g. "€ 1.234.567,89" or "-€ 0,05".
std::string format_euro(Cents amount);

// Parses an amount in euros written as "1234.56", "1.234,56", "1234,5", "€ 12" or "-3".
// Fails with kInvalidArgument for anything else or more than two decimals: cents are exact.
Result<Cents> parse_euro(std::string_view text);

}  // namespace rapporteur
