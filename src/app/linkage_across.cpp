#include "app/linkage_across.h"

#include <algorithm>
#include <set>
#include <tuple>
#include <utility>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "core/csv.h"

namespace rapporteur::app {
namespace {

constexpr int kMaxYears = 30;

std::string classification_of(const Registration& r) {
  if (r.exploitation_form) return std::string(to_code(*r.exploitation_form));
  if (r.offence_type) return std::string(to_code(*r.offence_type));
  return "unknown";
}

// What one linked person was registered as: per year, as victim and as suspect.
struct Appearances {
  std::set<int> victim_years;
  std::set<int> suspect_years;
  std::map<std::string, std::int64_t> victim_forms;  // Victim registrations per classification.
};

// The classification most of a person's victim registrations carry; ties go to the first in
// code order, "unknown" only when nothing else was recorded.
std::string main_form(const std::map<std::string, std::int64_t>& forms) {
  std::string best = "unknown";
  std::int64_t most = 0;
  for (const auto& [form, count] : forms) {
    if (form != "unknown" && count > most) {
      best = form;
      most = count;
    }
  }
  return best;
}

}  // namespace

Result<WidenedRegistrations> widened_registrations(store::Store& store, Mandate mandate, int first_year,
                                                   int last_year) {
  WidenedRegistrations widened;
  ASSIGN_OR_RETURN(const auto all_sources, store.sources());
  for (int year = first_year; year <= last_year; ++year) {
    for (const Role role : {Role::kVictim, Role::kSuspect}) {
      ASSIGN_OR_RETURN(auto selected, store.registrations({.year = year, .mandate = mandate, .role = role}));
      for (const Source& s : all_sources) {
        const std::string code = fmt::format("{}@{}/{}", s.code, year, to_code(role));
        bool used = false;
        for (Registration& r : selected) {
          if (r.source_code != s.code) continue;
          used = true;
          r.source_code = code;
          widened.year_of.push_back(year);
          widened.role_of.push_back(role);
          widened.registrations.push_back(std::move(r));
        }
        if (used) widened.sources.push_back(code);
      }
    }
  }
  return widened;
}

Result<std::optional<std::pair<int, int>>> mandate_years(store::Store& store, Mandate mandate) {
  ASSIGN_OR_RETURN(const auto counts, store.registration_counts());
  std::optional<std::pair<int, int>> years;
  for (const auto& count : counts) {
    if (count.mandate != mandate || count.registrations == 0) continue;
    if (!years) years = std::pair{count.year, count.year};
    years->first = std::min(years->first, count.year);
    years->second = std::max(years->second, count.year);
  }
  return years;
}

Result<CrossLinkReport> link_across(store::Store& store, const CrossLinkRequest& request) {
  ASSIGN_OR_RETURN(const Mandate mandate, parse_mandate(request.mandate));
  if (request.first_year > request.last_year || request.last_year - request.first_year >= kMaxYears) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("years {}-{} must be a range of 1 to {} years",
                                                         request.first_year, request.last_year, kMaxYears));
  }
  // Lasting ids cover the mandate's whole history, so that a run over a few years does not
  // retire the ids of persons seen only in the others.
  int first_linked = request.first_year;
  int last_linked = request.last_year;
  const bool keep = request.person_ids == PersonIdUse::kKeep;
  if (keep) {
    ASSIGN_OR_RETURN(const auto held, mandate_years(store, mandate));
    if (held) {
      first_linked = std::min(first_linked, held->first);
      last_linked = std::max(last_linked, held->second);
    }
  }
  ASSIGN_OR_RETURN(WidenedRegistrations widened, widened_registrations(store, mandate, first_linked, last_linked));
  const auto in_range = [&](std::size_t i) {
    return widened.year_of[i] >= request.first_year && widened.year_of[i] <= request.last_year;
  };
  std::size_t registrations_in_range = 0;
  for (std::size_t i = 0; i < widened.year_of.size(); ++i) registrations_in_range += in_range(i) ? 1 : 0;
  if (registrations_in_range == 0) {
    return fail(ErrorCode::kNotFound,
                fmt::format("no {} registrations in {}-{}", request.mandate, request.first_year, request.last_year));
  }
  std::vector<Registration> registrations = std::move(widened.registrations);
  const std::vector<int>& year_of = widened.year_of;
  const std::vector<Role>& role_of = widened.role_of;
  const std::vector<std::string>& sources = widened.sources;
  // The classifications before linking moves the registrations.
  std::vector<std::string> form_of;
  form_of.reserve(registrations.size());
  for (const Registration& r : registrations) form_of.push_back(classification_of(r));

  ASSIGN_OR_RETURN(LinkageRun run, link_registrations(std::move(registrations), sources, request.method));
  std::optional<PersonIdChanges> changes;
  if (keep) {
    ASSIGN_OR_RETURN(changes, keep_person_ids(store, store::PersonIdScope::across(mandate), run));
  }

  CrossLinkReport report;
  report.mandate = request.mandate;
  report.first_year = request.first_year;
  report.last_year = request.last_year;
  report.method = run.method;
  report.note = run.note;
  report.registrations = static_cast<std::int64_t>(registrations_in_range);
  std::map<std::uint32_t, Appearances> people;
  for (std::size_t i = 0; i < run.cluster.size(); ++i) {
    if (!in_range(i)) continue;
    Appearances& a = people[run.cluster[i]];
    if (role_of[i] == Role::kVictim) {
      a.victim_years.insert(year_of[i]);
      ++a.victim_forms[form_of[i]];
    } else {
      a.suspect_years.insert(year_of[i]);
    }
  }
  report.persons = static_cast<std::int64_t>(people.size());
  for (int year = request.first_year; year <= request.last_year; ++year) {
    CrossLinkYear row;
    row.year = year;
    for (const auto& [cluster, a] : people) {
      const bool victim_before = !a.victim_years.empty() && *a.victim_years.begin() < year;
      if (a.victim_years.contains(year)) {
        ++row.victims;
        row.victims_seen_before += victim_before ? 1 : 0;
      }
      if (a.suspect_years.contains(year)) {
        ++row.suspects;
        row.suspects_seen_before += !a.suspect_years.empty() && *a.suspect_years.begin() < year ? 1 : 0;
        row.suspects_also_victims += victim_before || a.victim_years.contains(year) ? 1 : 0;
      }
    }
    report.years.push_back(row);
  }
  for (const auto& [cluster, a] : people) {
    report.victims_in_several_years += a.victim_years.size() > 1 ? 1 : 0;
    if (!a.victim_years.empty() && !a.suspect_years.empty()) {
      ++report.victims_and_suspects;
      ++report.victims_and_suspects_by_form[main_form(a.victim_forms)];
    }
  }
  if (keep) {
    report.person_ids = changes;
    for (std::size_t i = 0; i < run.registrations.size(); ++i) {
      const Registration& r = run.registrations[i];
      // The source's own code: the widened one ends at '@'.
      report.records.push_back({r.source_code.substr(0, r.source_code.find('@')), year_of[i], role_of[i],
                                r.record_id.value_or(""), run.person_id[i]});
    }
    std::sort(report.records.begin(), report.records.end(), [](const CrossLinkRecord& a, const CrossLinkRecord& b) {
      return std::tie(a.source, a.year, a.role, a.record_id, a.person_id) <
             std::tie(b.source, b.year, b.role, b.record_id, b.person_id);
    });
  }
  return report;
}

std::string records_csv(const CrossLinkReport& report) {
  std::string out = "source,year,role,record_id,person_id\n";
  for (const CrossLinkRecord& r : report.records) {
    out += fmt::format("{},{},{},{},{}\n", csv_field(r.source), r.year, to_code(r.role), csv_field(r.record_id),
                       r.person_id);
  }
  return out;
}

std::string to_text(const CrossLinkReport& report) {
  std::string text =
      fmt::format("{} registrations of {} in {}-{} linked {} into {} persons\n", report.registrations, report.mandate,
                  report.first_year, report.last_year, to_code(report.method), report.persons);
  if (!report.note.empty()) text += "Note: " + report.note + "\n";
  text += "year  victims  of whom seen before  suspects  of whom seen before  of whom also victim\n";
  for (const CrossLinkYear& y : report.years) {
    text += fmt::format("{:<4}  {:>7}  {:>19}  {:>8}  {:>19}  {:>19}\n", y.year, y.victims, y.victims_seen_before,
                        y.suspects, y.suspects_seen_before, y.suspects_also_victims);
  }
  text += fmt::format("Victims registered in more than one year: {}\n", report.victims_in_several_years);
  text += fmt::format("Registered both as victim and as suspect: {}", report.victims_and_suspects);
  if (!report.victims_and_suspects_by_form.empty()) {
    std::vector<std::string> parts;
    for (const auto& [form, count] : report.victims_and_suspects_by_form) {
      parts.push_back(fmt::format("{} {}", form, count));
    }
    text += " (" + fmt::format("{}", fmt::join(parts, ", ")) + ")";
  }
  text += "\n";
  if (report.person_ids) {
    text += fmt::format(
        "Lasting person ids (every year and role of {}): {} kept ({} with the same records), {} new, "
        "{} retired\n",
        report.mandate, report.person_ids->kept, report.person_ids->unchanged, report.person_ids->added,
        report.person_ids->retired);
  }
  return text;
}

std::string to_json(const CrossLinkReport& report) {
  nlohmann::json years = nlohmann::json::array();
  for (const CrossLinkYear& y : report.years) {
    years.push_back({{"year", y.year},
                     {"victims", y.victims},
                     {"victims_seen_before", y.victims_seen_before},
                     {"suspects", y.suspects},
                     {"suspects_seen_before", y.suspects_seen_before},
                     {"suspects_also_victims", y.suspects_also_victims}});
  }
  nlohmann::json json = {{"mandate", report.mandate},
                         {"first_year", report.first_year},
                         {"last_year", report.last_year},
                         {"method", std::string(to_code(report.method))},
                         {"registrations", report.registrations},
                         {"persons", report.persons},
                         {"years", years},
                         {"victims_in_several_years", report.victims_in_several_years},
                         {"victims_and_suspects", report.victims_and_suspects},
                         {"victims_and_suspects_by_form", report.victims_and_suspects_by_form}};
  if (!report.note.empty()) json["note"] = report.note;
  if (report.person_ids) {
    json["person_ids"] = {{"kept", report.person_ids->kept},
                          {"unchanged", report.person_ids->unchanged},
                          {"added", report.person_ids->added},
                          {"retired", report.person_ids->retired}};
  }
  return json.dump(2);
}

}  // namespace rapporteur::app
