// Synthetic identities for the demo world's people: names drawn from lists of common given
// names and surnames per region of origin, dates of birth consistent with their age, and
// national id numbers that fail the Dutch eleven-test, so that none can be a real BSN.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace rapporteur::demo::internal {

struct CalendarDate {
  int year = 0;
  int month = 0;
  int day = 0;
  std::string iso() const;
};

struct PersonIdentity {
  std::string first_name;
  std::string last_name;
  CalendarDate birth;
  std::optional<std::string> national_id;
  CalendarDate first_contact;  // Sources register the person on or after this day.
};

// Draws uniform numbers in [0, 1); the caller's seeded generator.
using Uniform = std::function<double()>;

// An identity for a person of `nationality` (ISO alpha-2) aged `age` at first contact in
// `year`. Dutch nationals and about a third of the others get a national id number.
PersonIdentity make_identity(const std::string& nationality, int age, int year, const Uniform& uniform);

// A date `offset_days` after `date`, clipped to 31 December of its year.
CalendarDate add_days_within_year(const CalendarDate& date, int offset_days);

// `name` with two adjacent letters swapped: the commonest typing error.
std::string with_typo(const std::string& name, const Uniform& uniform);

}  // namespace rapporteur::demo::internal
