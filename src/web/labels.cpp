// Words for codes, and Dutch and English number and date formats.
#include <array>
#include <charconv>
#include <cmath>

#include <fmt/format.h>

#include "web/internal/labels.h"

namespace rapporteur::web::internal {
namespace {

struct Word {
  const char* code;
  const char* nl;
  const char* en;
};

constexpr Word kWords[] = {
    {"monitor", "Monitor", "Monitor"},
    {"study", "Onderzoek", "Study"},
    {"letter", "Brief", "Letter"},
    {"news", "Nieuws", "News"},
    {"brochure", "Brochure", "Brochure"},
    {"annual_report", "Jaarverslag", "Annual report"},
    {"recommendation", "Aanbeveling", "Recommendation"},
    {"adopted", "Overgenomen", "Adopted"},
    {"partly_adopted", "Deels overgenomen", "Partly adopted"},
    {"rejected", "Niet overgenomen", "Rejected"},
    {"pending", "Reactie afwachten", "Awaiting response"},
    {"human_trafficking", "Mensenhandel", "Human trafficking"},
    {"sexual_violence_against_children", "Seksueel geweld tegen kinderen", "Sexual violence against children"},
    {"sexual", "Seksuele uitbuiting", "Sexual exploitation"},
    {"labour", "Arbeidsuitbuiting", "Labour exploitation"},
    {"criminal", "Criminele uitbuiting", "Criminal exploitation"},
    {"other", "Overige uitbuiting", "Other exploitation"},
    {"unknown", "Onbekend", "Unknown"},
    {"nl", "Nederlands", "Dutch"},
    {"en", "Engels", "English"},
    {"type", "Soort", "Type"},
    {"year", "Jaar", "Year"},
    {"theme", "Thema", "Theme"},
    {"form", "Uitbuitingsvorm", "Exploitation form"},
    {"status", "Reactie kabinet", "Government response"},
    {"language", "Taal", "Language"},
    {"queued", "In de wachtrij", "Queued"},
    {"running", "Bezig", "Running"},
    {"done", "Klaar", "Done"},
    {"failed", "Mislukt", "Failed"},
    {"cancelled", "Geannuleerd", "Cancelled"},
    {"interrupted", "Onderbroken", "Interrupted"},
    {"admin", "Beheerder", "Administrator"},
    {"researcher", "Onderzoeker", "Researcher"},
    {"editor", "Redacteur", "Editor"},
};

// English words for the codes of published tables' dimensions (the tables carry Dutch
// labels); place names have none.
struct DimensionWord {
  const char* dimension;  // "" for any dimension.
  const char* code;
  const char* en;
};

constexpr DimensionWord kDimensionWords[] = {
    {"year", "total", "all years (persons per year summed)"},
    {"region", "NL01", "Netherlands"},
    {"region", "unknown", "municipality unknown"},
    {"form", "total", "all forms"},
    {"form", "sexual", "sexual exploitation"},
    {"form", "labour", "labour exploitation"},
    {"form", "criminal", "criminal exploitation"},
    {"form", "other", "other exploitation"},
    {"form", "unknown", "form unknown"},
    {"form", "hands_on", "hands-on abuse"},
    {"form", "csam", "child sexual abuse material"},
    {"form", "grooming", "grooming"},
    {"form", "sextortion", "sextortion"},
    {"sex", "total", "total"},
    {"sex", "female", "female"},
    {"sex", "male", "male"},
    {"sex", "unknown", "other/unknown"},
    {"age", "total", "all ages"},
    {"age", "minor", "minor"},
    {"age", "adult", "adult"},
    {"age", "unknown", "age unknown"},
    {"stage", "total", "all suspects"},
    {"stage", "reported", "no further than a report"},
    {"stage", "registered", "no further than registered by the prosecution"},
    {"stage", "prosecuted", "prosecuted, not (yet) convicted"},
    {"stage", "convicted", "convicted"},
    {"stage", "unknown", "stage unknown"},
};

struct DimensionName {
  const char* code;
  const char* nl;
  const char* en;
};

constexpr DimensionName kDimensionNames[] = {
    {"year", "jaar", "year"},   {"region", "regio", "region"},
    {"form", "vorm", "form"},   {"sex", "geslacht", "sex"},
    {"age", "leeftijd", "age"}, {"stage", "stadium in de strafrechtketen", "stage in the criminal-justice chain"},
};

constexpr std::array<const char*, 12> kMonthsNl = {"januari",   "februari", "maart",    "april",
                                                   "mei",       "juni",     "juli",     "augustus",
                                                   "september", "oktober",  "november", "december"};
constexpr std::array<const char*, 12> kMonthsEn = {"January",   "February", "March",    "April",
                                                   "May",       "June",     "July",     "August",
                                                   "September", "October",  "November", "December"};

}  // namespace

Html label(Language language, std::string_view code) {
  for (const Word& w : kWords) {
    if (code == w.code) return Html::escape(dutch(language) ? w.nl : w.en);
  }
  return Html::escape(code);
}

std::string dimension_code_label(Language language, std::string_view dimension, std::string_view code,
                                 std::string_view dutch_label) {
  if (dutch(language)) return std::string(dutch_label);
  for (const DimensionWord& w : kDimensionWords) {
    if (dimension == w.dimension && code == w.code) return w.en;
  }
  return std::string(dutch_label);
}

std::string dimension_name(Language language, std::string_view dimension) {
  for (const DimensionName& n : kDimensionNames) {
    if (dimension == n.code) return dutch(language) ? n.nl : n.en;
  }
  return std::string(dimension);
}

std::string level_name(Language language, std::string_view dimension, int depth, std::string_view code) {
  if (dimension != "region" || code == "unknown") return "";
  switch (depth) {
    case 0:
      return dutch(language) ? "land" : "country";
    case 1:
      return dutch(language) ? "politie-eenheid" : "police unit";
    case 2:
      return dutch(language) ? "gemeente" : "municipality";
    default:
      return "";
  }
}

std::string format_number(Language language, std::int64_t value) {
  const std::string digits = std::to_string(value);
  const std::string plain = digits[0] == '-' ? digits.substr(1) : digits;
  std::string out;
  const char separator = dutch(language) ? '.' : ',';
  for (std::size_t i = 0; i < plain.size(); ++i) {
    if (i > 0 && (plain.size() - i) % 3 == 0) out += separator;
    out += plain[i];
  }
  return value < 0 ? "-" + out : out;
}

std::string format_percent(Language language, double share) {
  if (!std::isfinite(share)) return "–";
  return format_number(language, std::llround(100 * share)) + "%";
}

std::string format_date(Language language, std::string_view iso_date) {
  if (iso_date.size() != 10 || iso_date[4] != '-' || iso_date[7] != '-') return std::string(iso_date);
  int year = 0;
  int month = 0;
  int day = 0;
  const auto parse = [](std::string_view part, int& out) {
    const auto [end, error] = std::from_chars(part.data(), part.data() + part.size(), out);
    return error == std::errc() && end == part.data() + part.size();
  };
  if (!parse(iso_date.substr(0, 4), year) || !parse(iso_date.substr(5, 2), month) ||
      !parse(iso_date.substr(8, 2), day) || month < 1 || month > 12 || day < 1 || day > 31) {
    return std::string(iso_date);
  }
  const auto& months = dutch(language) ? kMonthsNl : kMonthsEn;
  return fmt::format("{} {} {}", day, months[static_cast<std::size_t>(month - 1)], year);
}

}  // namespace rapporteur::web::internal
