// The layout of the knowledge base's Xapian index, shared by its writer (index.cpp) and its
// searches (search.cpp). Internal to kb.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <xapian.h>

#include "core/result.h"

namespace rapporteur::kb::internal {

// Term prefixes (Xapian conventions: Z stems, Q unique id, X... boolean filters) and value
// slots.
inline constexpr const char* kStemPrefix = "Z";
inline constexpr Xapian::valueno kFacetSlot = 0;
inline constexpr Xapian::valueno kDateSlot = 1;

// Facet values of one document, in kFacetSlot: fields separated by '\t', lists by ','.
enum FacetField { kType, kYear, kTheme, kForm, kStatus, kLanguage, kFacetFields };
inline constexpr std::array<const char*, kFacetFields> kFacetNames = {"type", "year",   "theme",
                                                                      "form", "status", "language"};

// A Xapian failure as a storage error naming what failed.
inline Error storage_error(const Xapian::Error& e, std::string_view what) {
  return Error{ErrorCode::kStorage, fmt::format("{}: {} ({})", what, e.get_msg(), e.get_type())};
}

// `values` joined by `separator`.
inline std::string join(const std::vector<std::string>& values, char separator) {
  std::string joined;
  for (const auto& v : values) {
    if (!joined.empty()) joined += separator;
    joined += v;
  }
  return joined;
}

}  // namespace rapporteur::kb::internal
