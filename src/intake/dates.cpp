#include "intake/internal/dates.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include <fmt/format.h>

namespace rapporteur::intake::internal {
namespace {

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

// Excel's serial day number (1900 date system, with its phantom 29 February 1900).
std::optional<Date> from_excel_serial(long serial) {
  if (serial < 61 || serial > 2958465) return std::nullopt;
  // Days since 1899-12-30, converted with the civil-from-days algorithm (H. Hinnant).
  long z = serial - 25569 + 719468;  // Days since 0000-03-01, shifted from 1970-01-01.
  const long era = z / 146097;
  const long doe = z - era * 146097;
  const long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yoe + era * 400 + (month <= 2 ? 1 : 0));
  return Date{year, month, day};
}

}  // namespace

Result<Date> parse_date(std::string_view text, const std::string& format, SerialDates serials) {
  const auto invalid = [&](std::string why) { return fail(ErrorCode::kInvalidArgument, std::move(why)); };
  if (serials == SerialDates::kAccept && !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c)) || c == '.';
      })) {
    long serial = 0;
    const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), serial);
    if (code != std::errc{} || end == text.data()) return invalid("not a spreadsheet date number");
    const auto date = from_excel_serial(serial);
    if (!date) return invalid("spreadsheet date number out of range");
    return *date;
  }
  // Three groups of one to four digits between separators.
  std::array<int, 3> parts{};
  std::size_t part = 0;
  std::size_t digits = 0;
  const char separator = format.find('/') != std::string::npos ? '/' : '-';
  for (const char c : text) {
    if (c >= '0' && c <= '9') {
      if (++digits > 4 || part >= parts.size()) return invalid(fmt::format("not a date in the form {}", format));
      parts[part] = parts[part] * 10 + (c - '0');
    } else if (c == separator && digits > 0) {
      ++part;
      digits = 0;
    } else {
      return invalid(fmt::format("not a date in the form {}", format));
    }
  }
  if (digits == 0 || part != 2) return invalid(fmt::format("not a date in the form {}", format));
  Date d;
  if (format == "yyyy-mm-dd") {
    d = {parts[0], parts[1], parts[2]};
  } else {
    d = {parts[2], parts[1], parts[0]};
  }
  if (d.year < 1900 || d.year > 2100) return invalid("impossible date: year outside 1900..2100");
  if (d.month < 1 || d.month > 12) return invalid("impossible date: no such month");
  if (d.day < 1 || d.day > days_in_month(d.year, d.month)) return invalid("impossible date: no such day in that month");
  return d;
}

int age_on(const Date& birth, const Date& day) {
  int age = day.year - birth.year;
  if (day.month < birth.month || (day.month == birth.month && day.day < birth.day)) --age;
  return age;
}

}  // namespace rapporteur::intake::internal
