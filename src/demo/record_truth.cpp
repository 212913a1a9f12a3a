// The demo world's truth file: the true and registered victims per year, mandate and stratum,
// and the record-level truth, which extract rows (and so which stored registrations) are one
// person. The demo's own person identifier is the truth; it is written to the truth file and
// never into the store.
#include <deque>
#include <map>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "demo/demo.h"
#include "demo/internal/regions.h"

namespace rapporteur::demo {

std::vector<ExtractTruth> record_truth(const World& world) {
  std::vector<ExtractTruth> result;
  for (int year = world.options.first_year; year <= world.options.last_year; ++year) {
    for (const Source& source : world.sources) {
      ExtractTruth extract{source.code, year, {}};
      // write_extracts writes a source's rows of a year in the order of world.registrations.
      for (const Registration& r : world.registrations) {
        if (r.source_code == source.code && r.year == year) extract.persons.push_back(r.person_key);
      }
      result.push_back(std::move(extract));
    }
  }
  return result;
}

Result<std::vector<std::string>> stored_record_persons(const World& world, store::Store& store,
                                                       const store::RegistrationFilter& filter) {
  // Per extract, the world's rows that intake kept, in row order: the stored registrations of
  // that batch follow the same order. Row numbers are the spreadsheet's (header = row 1); the
  // demo's extracts have no empty lines or multi-line cells.
  using Extract = std::pair<std::string, int>;
  std::map<Extract, std::deque<std::size_t>> kept;
  ASSIGN_OR_RETURN(const auto batches, store.batches());
  for (const store::Batch& batch : batches) {
    if (batch.status != store::BatchStatus::kActive) continue;
    if (filter.year && batch.year != *filter.year) continue;
    ASSIGN_OR_RETURN(const auto errors, store.row_errors(batch.id));
    std::set<long> rejected;
    for (const auto& e : errors) rejected.insert(e.row);
    auto& rows = kept[{batch.source_code, batch.year}];
    long row = 1;
    for (std::size_t i = 0; i < world.registrations.size(); ++i) {
      const Registration& r = world.registrations[i];
      if (r.source_code != batch.source_code || r.year != batch.year) continue;
      ++row;
      if (!rejected.count(row)) rows.push_back(i);
    }
  }
  ASSIGN_OR_RETURN(const auto stored, store.registrations(filter));
  std::vector<std::string> persons;
  persons.reserve(stored.size());
  for (std::size_t s = 0; s < stored.size(); ++s) {
    const Registration& r = stored[s];
    auto& rows = kept[{r.source_code, r.year}];
    // Rows of other mandates or roles are not in the filtered registrations.
    while (!rows.empty()) {
      const Registration& truth = world.registrations[rows.front()];
      if (truth.mandate == r.mandate && truth.role == r.role) break;
      rows.pop_front();
    }
    if (rows.empty() || world.registrations[rows.front()].sex != r.sex ||
        world.registrations[rows.front()].exploitation_form != r.exploitation_form ||
        world.registrations[rows.front()].offence_type != r.offence_type) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("stored registration {} ({} {}) matches no row of the demo world's extract; "
                              "was the store loaded from this world?",
                              s, r.source_code, r.year));
    }
    persons.push_back(world.registrations[rows.front()].person_key);
    rows.pop_front();
  }
  return persons;
}

std::string truth_json(const World& world) {
  using nlohmann::ordered_json;
  ordered_json root;
  root["seed"] = world.options.seed;
  root["first_year"] = world.options.first_year;
  root["last_year"] = world.options.last_year;
  root["notes"] =
      "Synthetic demo world. true_count: people in the stratum; registered: of them, seen by at "
      "least one source. Trafficking registered totals are calibrated on NR figures (2022 and "
      "2024 interpolated); national populations 2016-2017 interpolated.";
  ordered_json years = ordered_json::array();
  for (int year = world.options.first_year; year <= world.options.last_year; ++year) {
    for (const Mandate mandate : {Mandate::kHumanTrafficking, Mandate::kSexualViolenceAgainstChildren}) {
      ordered_json entry;
      entry["year"] = year;
      entry["mandate"] = to_code(mandate);
      std::int64_t true_total = 0;
      std::int64_t registered_total = 0;
      ordered_json strata = ordered_json::array();
      for (const TruthCell& cell : world.truth) {
        if (cell.year != year || cell.mandate != mandate) continue;
        true_total += cell.true_count;
        registered_total += cell.registered;
        strata.push_back({{"classification", cell.classification},
                          {"sex", to_code(cell.sex)},
                          {"age_group", cell.age_group},
                          {"true_count", cell.true_count},
                          {"registered", cell.registered}});
      }
      entry["true_count"] = true_total;
      entry["registered"] = registered_total;
      entry["population"] = internal::national_population(year);
      entry["strata"] = std::move(strata);
      years.push_back(std::move(entry));
    }
  }
  root["victims"] = std::move(years);
  ordered_json records = ordered_json::array();
  for (const ExtractTruth& extract : record_truth(world)) {
    records.push_back({{"source", extract.source_code}, {"year", extract.year}, {"persons", extract.persons}});
  }
  root["records_notes"] =
      "Record-level truth: per extract, the demo's own identifier of the person behind each data "
      "row (the first is row 2). Rows with equal identifiers are one person.";
  root["records"] = std::move(records);
  return root.dump(2);
}

}  // namespace rapporteur::demo
