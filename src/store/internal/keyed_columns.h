// The registration columns that hold keyed values (rewritten by a key rotation), and how both
// backends read the comparison keys among them. Internal to store.
#pragma once

#include <optional>
#include <string>

#include "core/domain.h"

namespace rapporteur::store::internal {

// Every keyed column of registrations but person_key and name_key (whose storage differs per
// backend), in the order key rotation binds them.
inline constexpr const char* kKeyedColumns[] = {"name_bloom",      "birth_bloom",         "first_name_bloom",
                                                "last_name_bloom", "first_name_key",      "last_name_key",
                                                "birth_year_key",  "birth_year_pair_key", "birth_year_pair_odd_key",
                                                "birth_month_key", "birth_day_key",       "national_id_key"};

// Reads first_name_bloom, last_name_bloom, first_name_key, last_name_key, birth_year_key,
// birth_year_pair_key, birth_year_pair_odd_key, birth_month_key and birth_day_key from nine
// consecutive columns starting at `first`: `blob(column)` gives a column's bytes, `text(column)`
// its optional text (NULL read as "").
template <typename Blob, typename Text>
void read_comparison_keys(ComparisonKeys& c, int first, Blob blob, Text text) {
  c.first_name_bloom = blob(first);
  c.last_name_bloom = blob(first + 1);
  std::string* const keys[] = {&c.first_name_key,      &c.last_name_key,           &c.birth_year_key,
                               &c.birth_year_pair_key, &c.birth_year_pair_odd_key, &c.birth_month_key,
                               &c.birth_day_key};
  int column = first + 2;
  for (std::string* key : keys) *key = text(column++).value_or("");
}

}  // namespace rapporteur::store::internal
