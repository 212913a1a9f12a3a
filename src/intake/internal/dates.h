// Dates as intake reads them: parsed from an extract's text or a spreadsheet's serial day
// number, without echoing the text in errors. Internal to intake.
#pragma once

#include <array>
#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

namespace rapporteur::intake::internal {

struct Date {
  int year = 0;
  int month = 0;
  int day = 0;
  // YYYY-MM-DD; the year is 1900..2100 once parsed.
  std::array<char, 10> iso() const {
    std::array<char, 10> out{};
    const auto digits = [&](int value, std::size_t at, std::size_t width) {
      for (std::size_t i = width; i-- > 0; value /= 10) out[at + i] = static_cast<char>('0' + value % 10);
    };
    digits(year, 0, 4);
    out[4] = '-';
    digits(month, 5, 2);
    out[7] = '-';
    digits(day, 8, 2);
    return out;
  }
  friend auto operator<=>(const Date&, const Date&) = default;
};

// Whether a bare number is read as Excel's serial day number (cells of a spreadsheet) or refused.
enum class SerialDates { kRefuse, kAccept };

// Parses `text` in `format` ("dd-mm-yyyy", "yyyy-mm-dd", "dd/mm/yyyy" or "d-m-yyyy"), or as
// Excel's serial day number when `serial` is kAccept. Fails with kInvalidArgument saying why,
// never quoting the text (it may be a date of birth).
Result<Date> parse_date(std::string_view text, const std::string& format, SerialDates serial);

// Whole years from `birth` to `day`.
int age_on(const Date& birth, const Date& day);

}  // namespace rapporteur::intake::internal
