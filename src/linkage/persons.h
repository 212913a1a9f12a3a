// The platform's person schema for probabilistic linkage: records as intake's comparison
// fields store them (hex keys, raw Bloom bytes, plain codes) turned into a RecordSet, and the
// blocking and training rules that suit them. Pure computation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "linkage/probabilistic.h"

namespace rapporteur::linkage {

// One registration's comparison fields. Keys are intake's 16-hex-digit keyed hashes, Bloom
// encodings its raw bytes; "" marks a missing value. sex, nationality and region are the
// stored codes ("" or "unknown" when unknown).
struct PersonFields {
  std::uint32_t source = 0;  // Index of the source.
  ComparisonKeys keys;       // As intake stores them (national_id_key "" when the source had none).
  std::string sex;
  std::string nationality;
  std::string region;
};

// Field names of the person schema, in order: first_name, last_name, birth_date,
// national_id, sex, nationality, region.
std::vector<FieldSpec> person_schema();

// The records of `persons`, in order (record i is persons[i]). Fails with kInvalidArgument
// naming the record and field when a key is not hex or a Bloom encoding is too long.
Result<RecordSet> person_records(const std::vector<PersonFields>& persons);

// Blocking on national id, full name (either order), surname with birth year, first name with birth date
// and birth date with sex; training on single fields; names compared crossed when swapped;
// within-source duplicates flagged at posterior 0.95.
LinkOptions person_link_options();

}  // namespace rapporteur::linkage
