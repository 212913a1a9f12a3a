// Source profiles: a declarative TOML file per source that maps its extract's columns and
// labels onto the domain model.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/result.h"

namespace rapporteur::intake {

// The fields a profile can map. Identifying fields are read only to pseudonymise them.
enum class Field {
  kNationalId,
  kFirstName,
  kLastName,
  kBirthDate,
  kSex,
  kAge,
  kMandate,
  kRole,
  kExploitationForm,
  kOffenceType,
  kNationality,
  kRegion,
  kChainStage,
  kResidenceStatus,
  kRegistrationDate,
  // The source's own record reference (a case number), stored as given: not identifying.
  kRecordId,
};

// The key of `field` in a profile's [columns] and [labels] tables, e.g. "birth_date".
std::string_view field_key(Field field);
// True for fields that identify a person (never stored, never shown in errors). A profile can
// mark more columns as identifying: see is_identifying(profile, field).
bool is_identifying(Field field);

enum class FileFormat { kCsv, kXlsx };
enum class RegionBy { kCode, kName };

struct SourceProfile {
  std::string name;  // The profile's own name, e.g. "politie-mensenhandel".
  Source source;
  FileFormat format = FileFormat::kCsv;
  char delimiter = 0;                      // CSV only; 0 detects.
  std::string encoding;                    // CSV only; "" detects.
  std::string sheet;                       // XLSX only; "" is the first sheet.
  std::string date_format = "dd-mm-yyyy";  // Or "yyyy-mm-dd", "dd/mm/yyyy", "d-m-yyyy".
  RegionBy region_by = RegionBy::kCode;
  // Fixed values for fields the extract does not carry as a column.
  std::optional<Mandate> mandate;
  std::optional<Role> role;
  std::map<Field, std::string> columns;  // Field -> column header in the extract.
  // Field -> (label as the source writes it, lower-cased -> our code).
  std::map<Field, std::map<std::string, std::string>> labels;
  std::vector<Field> required;  // Fields that must be filled in every row.
  // Column headers (lower-cased) that the profile marks as identifying beyond the identifying
  // fields, e.g. an address or a place of birth: a mapped field in such a column is treated as
  // identifying, and no value equal to such a column's value in the same row is ever shown.
  std::vector<std::string> identifying_columns;
};

// True when `field` is identifying for `profile`: an identifying field, or mapped to a column
// the profile marks as identifying.
bool is_identifying(const SourceProfile& profile, Field field);

// Reads and checks a profile: known fields, known codes in label tables, a way to identify a
// person (national id, or first name + last name + birth date), a mandate and a role (fixed
// or as a column). Fails with kIo when unreadable and kInvalidArgument naming the file, the
// key and the reason otherwise.
Result<SourceProfile> load_profile(const std::filesystem::path& path);

}  // namespace rapporteur::intake
