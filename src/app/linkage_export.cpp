#include "app/linkage_export.h"

#include <algorithm>
#include <cassert>
#include <tuple>

#include <fmt/format.h>

#include "core/csv.h"

namespace rapporteur::app {

Result<PersonIdExport> export_person_ids(store::Store& store, const PersonIdExportRequest& request) {
  if (request.source) {
    ASSIGN_OR_RETURN(const auto sources, store.sources());
    if (std::none_of(sources.begin(), sources.end(), [&](const Source& s) { return s.code == *request.source; })) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("unknown source '{}'", *request.source));
    }
  }
  ASSIGN_OR_RETURN(const LinkageRun run, run_linkage(store, {.year = request.year,
                                                             .mandate = request.mandate,
                                                             .role = request.role,
                                                             .method = request.method,
                                                             .person_ids = PersonIdUse::kKeep}));
  assert(run.person_id.size() == run.registrations.size() && "a kKeep run gives every registration an id");
  PersonIdExport result;
  result.method = run.method;
  result.note = run.note;
  for (std::size_t i = 0; i < run.registrations.size(); ++i) {
    const Registration& r = run.registrations[i];
    if (request.source && r.source_code != *request.source) continue;
    if (!r.record_id) ++result.without_record_id;
    result.rows.push_back({r.source_code, r.record_id.value_or(""), run.person_id[i]});
  }
  std::sort(result.rows.begin(), result.rows.end(), [](const PersonIdExportRow& a, const PersonIdExportRow& b) {
    return std::tie(a.source, a.record_id, a.person_id) < std::tie(b.source, b.record_id, b.person_id);
  });
  return result;
}

std::string to_csv(const PersonIdExport& person_ids) {
  std::string out = "source,record_id,person_id\n";
  for (const PersonIdExportRow& row : person_ids.rows) {
    out += fmt::format("{},{},{}\n", csv_field(row.source), csv_field(row.record_id), row.person_id);
  }
  return out;
}

}  // namespace rapporteur::app
