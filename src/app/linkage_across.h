// People found again: the registrations of several years, as victims and as suspects of one
// mandate, linked together, so that the monitor can say how many victims were registered in
// an earlier year too, and how many suspects are (or were) registered as victims themselves.
// The linkage is the yearly one (app::link_registrations); only its notion of a source is
// widened to a source in one year and role, so that one source's records of a person in two
// years or two roles may join, while two of one year and role stay a flagged duplicate.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
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
  // kKeep: lasting person ids, one per person over every year and role of the mandate. The
  // linkage then covers every year of the mandate the store holds (the counts still cover the
  // range), carries the ids of its previous such run over (linkage::assign_person_ids), so a
  // new year's registrations join the persons already known, and stores them for the next, in
  // the mandate's cross-year scope (store::PersonIdScope::across).
  PersonIdUse person_ids = PersonIdUse::kNone;
};

// One registration of a kKeep run with its lasting person id.
struct CrossLinkRecord {
  std::string source;  // The source's code.
  int year = 0;
  Role role = Role::kVictim;
  std::string record_id;  // The source's record reference; empty when none.
  std::int64_t person_id = 0;
  friend bool operator==(const CrossLinkRecord&, const CrossLinkRecord&) = default;
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
  // kKeep runs: how the lasting ids relate to the previous run's, and every registration of
  // the mandate (all its years) with its id, ordered by source, year, role, reference, id.
  std::optional<PersonIdChanges> person_ids;
  std::vector<CrossLinkRecord> records;
};

// Links the victim and suspect registrations of `request`'s mandate over its years and counts
// the people found in more than one year or role. Fails with kInvalidArgument for an unknown
// mandate or an empty or reversed range of more than 30 years, with kNotFound when the range
// holds no registration, and with the linkage's and the store's errors.
Result<CrossLinkReport> link_across(store::Store& store, const CrossLinkRequest& request);

// The registrations of `mandate` in `first_year`..`last_year`, victims and suspects, each
// source widened to source, year and role ("politie@2023/victim"), in a fixed order (year,
// role, source, then the store's), with the widened sources used. Shared with the key
// rotation, which must see a kKeep run's records as that run did.
struct WidenedRegistrations {
  std::vector<Registration> registrations;
  std::vector<int> year_of;
  std::vector<Role> role_of;
  std::vector<std::string> sources;
};
Result<WidenedRegistrations> widened_registrations(store::Store& store, Mandate mandate, int first_year, int last_year);

// The first and last year of `mandate` the store holds registrations of; nullopt for none.
Result<std::optional<std::pair<int, int>>> mandate_years(store::Store& store, Mandate mandate);

// As the CLI prints it: a line per year and the totals.
std::string to_text(const CrossLinkReport& report);
// A kKeep run's records as CSV (RFC 4180 fields): `source,year,role,record_id,person_id`.
std::string records_csv(const CrossLinkReport& report);
// As the staff API gives it: the request, the counts per year and the totals, as JSON.
std::string to_json(const CrossLinkReport& report);

}  // namespace rapporteur::app
