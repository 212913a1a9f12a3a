// Person ids that stay stable across linkage runs: a new run's clusters are matched to the
// persons of the previous run by the records they share, so a person whose records did not
// change keeps its id when a new batch arrives, and ids are never reused. Records are known
// across runs by a fingerprint of their content (see app::record_fingerprints). Pure
// computation.
#pragma once

#include <cstdint>
#include <vector>

#include "core/result.h"

namespace rapporteur::linkage {

// One record's person in an earlier run.
struct PersonIdRow {
  std::uint64_t record = 0;  // The record's fingerprint.
  std::int64_t person = 0;   // Its person id (> 0).
  friend bool operator==(const PersonIdRow&, const PersonIdRow&) = default;
};

struct PersonIds {
  std::vector<std::int64_t> of_cluster;  // Per cluster of the new run, its person id.
  std::vector<PersonIdRow> rows;         // Per record of the new run, ordered by fingerprint.
  std::int64_t next_id = 1;              // The first id never given out.
  std::int64_t kept = 0;                 // Clusters that kept an earlier person's id.
  std::int64_t unchanged = 0;            // Of those, with exactly that person's records.
  std::int64_t added = 0;                // Clusters given a new id.
  std::int64_t retired = 0;              // Earlier ids no cluster kept (merged or gone).
};

// Gives each cluster of a new run (`cluster` per record, values 0..clusters-1; `records` the
// records' fingerprints, parallel) a person id. A cluster takes the id of the earlier person
// with whom it shares the most records, largest overlaps first, each id going to at most one
// cluster (ties: the smaller id, then the smaller cluster); others get new ids from
// max(`next_id`, one above every earlier id). A cluster holding exactly an earlier person's
// records therefore always keeps that id. Fails with kInvalidArgument when the sizes differ,
// a cluster value is out of range, a fingerprint repeats, or an earlier id is not positive.
Result<PersonIds> assign_person_ids(const std::vector<std::uint64_t>& records,
                                    const std::vector<std::uint32_t>& cluster, std::int64_t clusters,
                                    const std::vector<PersonIdRow>& previous, std::int64_t next_id);

}  // namespace rapporteur::linkage
