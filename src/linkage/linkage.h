// Deterministic linkage: registrations that share a pseudonymous key are one person, across
// sources; each person's capture history says which sources registered them. Pure
// computation on plain data.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/result.h"

namespace rapporteur::linkage {

// One cell of the capture-history table: how many people were seen by exactly the sources
// marked in `seen`, in one stratum.
struct CaptureHistory {
  std::vector<bool> seen;      // Parallel to Histories::sources.
  std::string classification;  // Exploitation form or offence type code.
  Sex sex = Sex::kUnknown;
  std::string age_group;  // "minor", "adult" or "unknown".
  std::string region;     // Region code as registered (a municipality), or "unknown".
  std::int64_t count = 0;
};

struct Histories {
  std::vector<std::string> sources;
  std::vector<CaptureHistory> rows;  // Ordered by pattern, then stratum.
  std::int64_t persons = 0;
};

// One linked person: a representative pseudonymous key (the smallest of the keys linked),
// the sources that registered them and their consensus attributes.
struct LinkedPerson {
  std::string key;
  std::vector<bool> seen;  // Parallel to the sources.
  std::string classification;
  Sex sex = Sex::kUnknown;
  std::string age_group;
  std::string region;
  std::optional<ChainStage> furthest_stage;  // Suspects: the furthest stage any source recorded.
};

// Per registration its cluster (0.., numbered in order of first appearance): registrations
// sharing a person key or a name key are one cluster (transitively).
std::vector<std::uint32_t> key_clusters(const std::vector<Registration>& registrations);

// The persons behind `registrations`, linked and given consensus values as
// capture_histories describes, in the order of their representative keys. Fails as
// capture_histories does.
Result<std::vector<LinkedPerson>> link_persons(const std::vector<Registration>& registrations,
                                               const std::vector<std::string>& sources);

// The persons of a clustering made elsewhere (e.g. probabilistic linkage): registrations
// with equal `cluster` values (parallel to `registrations`) are one person, given consensus
// values as capture_histories describes, in the order of their representative keys. Fails
// with kInvalidArgument when the sizes differ, and as capture_histories does.
Result<std::vector<LinkedPerson>> persons_of_clusters(const std::vector<Registration>& registrations,
                                                      const std::vector<std::string>& sources,
                                                      const std::vector<std::uint32_t>& cluster);

// The capture histories of linked persons (seen parallel to `sources`).
Histories histories_of(const std::vector<LinkedPerson>& persons, const std::vector<std::string>& sources);

// Links `registrations` (typically one year, mandate and role) into persons: registrations
// sharing a person key or a name key belong to the same person (transitively). A person's
// stratum takes, per attribute, the value most sources recorded, ignoring unknowns (ties go
// to the source listed first). Fails with kInvalidArgument when a registration's source is
// not in `sources` or a source is listed twice.
Result<Histories> capture_histories(const std::vector<Registration>& registrations,
                                    const std::vector<std::string>& sources);

// Writes `histories` as CSV: one 0/1 column per source, then classification, sex, age_group,
// region and count.
std::string to_csv(const Histories& histories);

}  // namespace rapporteur::linkage
