#include "intake/comparison.h"

#include <array>
#include <memory>

#include <fmt/format.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

namespace rapporteur::intake {
namespace {

// Particles of Dutch, German, French, Italian, Spanish, Portuguese and Arabic surnames,
// which sources write, drop, join or move to the given name inconsistently.
constexpr std::array<std::string_view, 27> kParticles = {
    "van", "von", "der", "den", "de",  "het",   "ter", "ten", "te", "t",  "in",  "op",  "da", "das",
    "do",  "dos", "di",  "du",  "del", "della", "la",  "le",  "el", "al", "bin", "ibn", "ben"};

bool is_particle(std::string_view word) {
  for (const auto p : kParticles) {
    if (p == word) return true;
  }
  return false;
}

// One transliterator per thread: ICU's are not safe for concurrent use and slow to build.
icu::Transliterator* transliterator() {
  thread_local const std::unique_ptr<icu::Transliterator> instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::Transliterator> t(
        icu::Transliterator::createInstance("Any-Latin; Latin-ASCII; Any-Lower", UTRANS_FORWARD, status));
    return U_SUCCESS(status) ? std::move(t) : nullptr;
  }();
  return instance.get();
}

}  // namespace

std::string transliterate_name(std::string_view name) {
  icu::UnicodeString text =
      icu::UnicodeString::fromUTF8(icu::StringPiece(name.data(), static_cast<int32_t>(name.size())));
  if (auto* t = transliterator()) t->transliterate(text);
  std::string latin;
  text.toUTF8String(latin);
  std::string out;
  out.reserve(latin.size());
  bool blank = false;
  for (const char c : latin) {
    if (c >= 'a' && c <= 'z') {
      if (blank && !out.empty()) out += ' ';
      blank = false;
      out += c;
    } else if (c >= 'A' && c <= 'Z') {
      if (blank && !out.empty()) out += ' ';
      blank = false;
      out += static_cast<char>(c - 'A' + 'a');
    } else if (c == '\'' || c == '`') {
      // O'Brien, D'Souza: one word.
    } else {
      blank = true;
    }
  }
  return out;
}

std::string comparison_name(std::string_view name) {
  const std::string words = transliterate_name(name);
  std::string kept;
  std::string all;
  std::size_t begin = 0;
  while (begin < words.size()) {
    std::size_t end = words.find(' ', begin);
    if (end == std::string::npos) end = words.size();
    const std::string_view word(words.data() + begin, end - begin);
    all += word;
    if (!is_particle(word)) kept += word;
    begin = end + 1;
  }
  return kept.empty() ? all : kept;
}

ComparisonEncoder::ComparisonEncoder(const PseudonymKey& key) : key_(key), names_(key, "comparison-name") {}

std::string ComparisonEncoder::key_hex(std::string_view purpose, std::string_view value) const {
  // The message holds an identifying value: built per call and wiped.
  std::string message;
  message.reserve(purpose.size() + value.size() + 1);
  message.append(purpose).append(":").append(value);
  std::string out = key_.hmac_hex(message);
  std::fill(message.begin(), message.end(), '\0');
  out.resize(16);
  return out;
}

Result<ComparisonFields> ComparisonEncoder::encode(const Identifiers& ids) {
  ComparisonFields fields;
  const auto name = [&](const std::optional<std::string_view>& value, std::string& bloom, std::string& key) {
    if (!value) return;
    const std::string normalised = comparison_name(*value);
    if (normalised.empty()) return;
    bloom = names_.encode(normalised);
    key = key_hex("cmp-name", normalised);
  };
  name(ids.first_name, fields.first_name_bloom, fields.first_name_key);
  name(ids.last_name, fields.last_name_bloom, fields.last_name_key);
  if (ids.birth_date) {
    const std::string_view date = *ids.birth_date;
    const auto digits = [&](std::size_t from, std::size_t count) {
      int value = 0;
      for (std::size_t i = from; i < from + count; ++i) {
        if (date[i] < '0' || date[i] > '9') return -1;
        value = value * 10 + (date[i] - '0');
      }
      return value;
    };
    const int year = date.size() == 10 && date[4] == '-' && date[7] == '-' ? digits(0, 4) : -1;
    const int month = year < 0 ? -1 : digits(5, 2);
    const int day = year < 0 ? -1 : digits(8, 2);
    if (year < 0 || month < 1 || month > 12 || day < 1 || day > 31) {
      return fail(ErrorCode::kInvalidArgument, "a date of birth not of the form YYYY-MM-DD");
    }
    fields.birth_year_key = key_hex("cmp-year", std::to_string(year));
    fields.birth_year_pair_key = key_hex("cmp-year-pair", std::to_string(year / 2));
    fields.birth_year_pair_odd_key = key_hex("cmp-year-pair", std::to_string((year + 1) / 2) + "+");
    fields.birth_month_key = key_hex("cmp-month-day", std::to_string(month));
    fields.birth_day_key = key_hex("cmp-month-day", std::to_string(day));
    fields.birth_first_of_january = month == 1 && day == 1;
  }
  return fields;
}

}  // namespace rapporteur::intake
