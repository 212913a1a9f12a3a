// The linkage export: each registration's own record reference (as its source gave it) with
// the person id linkage gave it, so that a source can check its records against the persons
// the platform counts. Person ids are the stable ones a linkage run keeps (PersonIdUse::kKeep).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "app/linkage.h"
#include "core/result.h"
#include "store/store.h"

namespace rapporteur::app {

struct PersonIdExportRequest {
  int year = 0;
  std::string mandate = "human_trafficking";
  std::string role = "victim";
  LinkageMethod method = LinkageMethod::kProbabilistic;
  // Only this source's records (what the source receives); empty: every source's. The linkage
  // itself always runs over every source, so a person seen by two sources has one id.
  std::optional<std::string> source;
};

struct PersonIdExportRow {
  std::string source;     // The source's code.
  std::string record_id;  // The source's record reference; empty when the registration has none.
  std::int64_t person_id = 0;
  friend bool operator==(const PersonIdExportRow&, const PersonIdExportRow&) = default;
};

struct PersonIdExport {
  LinkageMethod method = LinkageMethod::kProbabilistic;  // The method the linkage used.
  std::string note;                                      // Why it differs from the one asked for.
  // One row per registration of the selection, ordered by source, then record reference
  // (bytewise; empty first), then person id.
  std::vector<PersonIdExportRow> rows;
  std::int64_t without_record_id = 0;  // Rows whose registration has no record reference.
};

// Links `request`'s year, mandate and role with run_linkage and PersonIdUse::kKeep (so it
// stores this run's person ids for the next, as `linkage run --keep-ids` does) and lists each
// registration's source, record reference and person id. Fails with kInvalidArgument for an
// unknown mandate, role or source, and with run_linkage's and the store's errors.
Result<PersonIdExport> export_person_ids(store::Store& store, const PersonIdExportRequest& request);

// The export as CSV (RFC 4180 fields, "\n" line ends): the header `source,record_id,person_id`
// and one line per row.
std::string to_csv(const PersonIdExport& person_ids);

}  // namespace rapporteur::app
