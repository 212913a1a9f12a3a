// People found again: the registrations of several years, as victims and as suspects of one
// mandate, linked together, so that the monitor can say how many victims were registered in
// an earlier year too, and how many suspects are (or were) registered as victims themselves.
// The linkage is the yearly one (app::link_registrations); only its notion of a source is
// widened to a source in one year and role, so that one source's records of a person in two
// years or two roles may join, while two of one year and role stay a flagged duplicate.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app/linkage.h"
#include "core/result.h"
#include "store/store.h"

namespace rapporteur::app {

struct CrossLinkRequest {
  std::string mandate = "human_trafficking";
  int first_year = 0;
  int last_year = 0;
  LinkageMethod method = LinkageMethod::kProbabilistic;
};

// One year of the range. A person counts once per year and role, however many sources
// registered them.
struct CrossLinkYear {
  int year = 0;
  std::int64_t victims = 0;
  std::int64_t victims_seen_before = 0;  // Also registered as a victim in an earlier year of the range.
  std::int64_t suspects = 0;
  std::int64_t suspects_seen_before = 0;  // Also registered as a suspect in an earlier year of the range.
  // Suspects registered as a victim this year or in an earlier year of the range.
  std::int64_t suspects_also_victims = 0;
};

struct CrossLinkReport {
  std::string mandate;
  int first_year = 0;
  int last_year = 0;
  LinkageMethod method = LinkageMethod::kProbabilistic;
  std::string note;  // Why the method used differs from the one asked for; empty otherwise.
  std::int64_t registrations = 0;
  std::int64_t persons = 0;
  std::vector<CrossLinkYear> years;  // Every year of the range, in order.
  std::int64_t victims_in_several_years = 0;
  std::int64_t victims_and_suspects = 0;  // Registered in both roles, in any years of the range.
  // Persons registered in both roles, by the exploitation form (or offence type) of their
  // victim registrations (the one most sources recorded; "unknown" when none).
  std::map<std::string, std::int64_t> victims_and_suspects_by_form;
};

// Links the victim and suspect registrations of `request`'s mandate over its years and counts
// the people found in more than one year or role. Fails with kInvalidArgument for an unknown
// mandate or an empty or reversed range of more than 30 years, with kNotFound when the range
// holds no registration, and with the linkage's and the store's errors.
Result<CrossLinkReport> link_across(store::Store& store, const CrossLinkRequest& request);

// As the CLI prints it: a line per year and the totals.
std::string to_text(const CrossLinkReport& report);
// As the staff API gives it: the request, the counts per year and the totals, as JSON.
std::string to_json(const CrossLinkReport& report);

}  // namespace rapporteur::app
