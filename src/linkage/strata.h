// Strata of linked persons: the capture-history table split by form, sex, age group and/or
// region, where "region" is the police unit of the person's municipality. The one roll-up the
// estimation uses.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "linkage/linkage.h"

namespace rapporteur::linkage {

// The capture-pattern counts of one stratum: counts[p] is the number of persons seen by
// exactly the sources whose bits are set in p (bit i: Histories::sources[i]).
struct Stratum {
  std::string name;  // Values joined by '/', e.g. "sexual/RE01"; "" for all persons.
  std::vector<std::int64_t> counts;
};

// Splits `histories` by `dimensions` (each "form", "sex", "age" or "region"; none: one
// stratum), in the order of their names. A region is mapped through `police_unit_of`
// (municipality or unit -> unit); "unknown" when the sources recorded none or it is not in
// the map. Fails with kInvalidArgument naming an unknown dimension.
Result<std::vector<Stratum>> strata(const Histories& histories, const std::vector<std::string>& dimensions,
                                    const std::map<std::string, std::string>& police_unit_of);

// Reads "form,sex" into its dimensions; "" gives none.
std::vector<std::string> split_dimensions(const std::string& joined);

// The police unit a stratum name such as "RE01" or "sexual/RE01" is about, when `dimensions`
// include "region".
std::optional<std::string> region_of_stratum(const std::string& stratum, const std::vector<std::string>& dimensions);

}  // namespace rapporteur::linkage
