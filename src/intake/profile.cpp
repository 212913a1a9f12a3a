// Profiles are TOML, parsed with toml11 (which throws; exceptions stop in this file).
#include "intake/profile.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <iterator>
#include <sstream>

#include <fmt/format.h>
#include <toml.hpp>

#include "core/utf8.h"

namespace rapporteur::intake {
namespace {

constexpr std::array<std::pair<Field, std::string_view>, 16> kFields{{
    {Field::kNationalId, "national_id"},
    {Field::kFirstName, "first_name"},
    {Field::kLastName, "last_name"},
    {Field::kBirthDate, "birth_date"},
    {Field::kSex, "sex"},
    {Field::kAge, "age"},
    {Field::kMandate, "mandate"},
    {Field::kRole, "role"},
    {Field::kExploitationForm, "exploitation_form"},
    {Field::kOffenceType, "offence_type"},
    {Field::kNationality, "nationality"},
    {Field::kRegion, "region"},
    {Field::kChainStage, "chain_stage"},
    {Field::kResidenceStatus, "residence_status"},
    {Field::kRegistrationDate, "registration_date"},
    {Field::kRecordId, "record_id"},
}};

std::optional<Field> field_of(std::string_view key) {
  for (const auto& [field, name] : kFields) {
    if (name == key) return field;
  }
  return std::nullopt;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

// Checks that `code` is a valid code for `field`'s target (labels map onto our codes).
Result<void> check_code(Field field, const std::string& code) {
  switch (field) {
    case Field::kSex:
      RETURN_IF_ERROR(parse_sex(code));
      break;
    case Field::kMandate:
      RETURN_IF_ERROR(parse_mandate(code));
      break;
    case Field::kRole:
      RETURN_IF_ERROR(parse_role(code));
      break;
    case Field::kExploitationForm:
      RETURN_IF_ERROR(parse_exploitation_form(code));
      break;
    case Field::kOffenceType:
      RETURN_IF_ERROR(parse_offence_type(code));
      break;
    case Field::kChainStage:
      RETURN_IF_ERROR(parse_chain_stage(code));
      break;
    case Field::kResidenceStatus:
      RETURN_IF_ERROR(parse_residence_status(code));
      break;
    case Field::kNationality:
      if (code.size() != 2 || !std::isupper(static_cast<unsigned char>(code[0])) ||
          !std::isupper(static_cast<unsigned char>(code[1]))) {
        return fail(ErrorCode::kInvalidArgument, fmt::format("'{}' is not an ISO 3166-1 alpha-2 code", code));
      }
      break;
    case Field::kRegion:
      break;  // Region labels map names to CBS codes, checked at load.
    default:
      return fail(ErrorCode::kInvalidArgument, "this field takes no label table");
  }
  return ok();
}

Result<SourceProfile> parse(const toml::value& root, const std::string& file) {
  const auto bad = [&](std::string what) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", file, what));
  };
  SourceProfile p;
  p.name = toml::find_or<std::string>(root, "name", std::filesystem::path(file).stem().string());
  if (!root.contains("source")) return bad("missing [source] table");
  const auto& source = toml::find(root, "source");
  p.source.code = toml::find<std::string>(source, "code");
  p.source.name = toml::find_or<std::string>(source, "name", p.source.code);
  auto kind = parse_source_kind(toml::find_or<std::string>(source, "kind", "other"));
  if (!kind) return bad("[source] kind: " + kind.error().message);
  p.source.kind = *kind;

  if (root.contains("format")) {
    const auto& format = toml::find(root, "format");
    const std::string type = toml::find_or<std::string>(format, "type", "csv");
    if (type == "csv")
      p.format = FileFormat::kCsv;
    else if (type == "xlsx")
      p.format = FileFormat::kXlsx;
    else
      return bad(fmt::format("[format] type '{}': expected csv or xlsx", type));
    const std::string delimiter = toml::find_or<std::string>(format, "delimiter", "auto");
    if (delimiter == "tab")
      p.delimiter = '\t';
    else if (delimiter == ";" || delimiter == ",")
      p.delimiter = delimiter[0];
    else if (delimiter != "auto")
      return bad(fmt::format("[format] delimiter '{}': expected ';', ',', 'tab' or 'auto'", delimiter));
    p.encoding = toml::find_or<std::string>(format, "encoding", "");
    if (p.encoding == "auto") p.encoding.clear();
    if (!p.encoding.empty() && p.encoding != "utf-8" && p.encoding != "windows-1252") {
      return bad(fmt::format("[format] encoding '{}': expected utf-8, windows-1252 or auto", p.encoding));
    }
    p.sheet = toml::find_or<std::string>(format, "sheet", "");
    p.date_format = toml::find_or<std::string>(format, "date_format", "dd-mm-yyyy");
    static constexpr std::array<std::string_view, 4> kDateFormats{"dd-mm-yyyy", "yyyy-mm-dd", "dd/mm/yyyy", "d-m-yyyy"};
    if (std::find(kDateFormats.begin(), kDateFormats.end(), p.date_format) == kDateFormats.end()) {
      return bad(fmt::format("[format] date_format '{}': expected dd-mm-yyyy, yyyy-mm-dd, dd/mm/yyyy or d-m-yyyy",
                             p.date_format));
    }
  }

  if (root.contains("record")) {
    const auto& record = toml::find(root, "record");
    if (record.contains("mandate")) {
      auto mandate = parse_mandate(toml::find<std::string>(record, "mandate"));
      if (!mandate) return bad("[record] mandate: " + mandate.error().message);
      p.mandate = *mandate;
    }
    if (record.contains("role")) {
      auto role = parse_role(toml::find<std::string>(record, "role"));
      if (!role) return bad("[record] role: " + role.error().message);
      p.role = *role;
    }
    const std::string region_by = toml::find_or<std::string>(record, "region_by", "code");
    if (region_by == "code")
      p.region_by = RegionBy::kCode;
    else if (region_by == "name")
      p.region_by = RegionBy::kName;
    else
      return bad(fmt::format("[record] region_by '{}': expected code or name", region_by));
    if (record.contains("identifying")) {
      // Checked, not find_or: a mistyped list would silently protect nothing.
      const auto& identifying = toml::find(record, "identifying");
      if (!identifying.is_array()) return bad("[record] identifying: expected a list of column headers");
      for (const auto& column : identifying.as_array()) {
        if (!column.is_string() || column.as_string().str.empty()) {
          return bad("[record] identifying: expected a list of column headers");
        }
        p.identifying_columns.push_back(lower(column.as_string()));
      }
    }
    for (const auto& key : toml::find_or<std::vector<std::string>>(record, "required", {})) {
      const auto field = field_of(key);
      if (!field) return bad(fmt::format("[record] required: unknown field '{}'", key));
      p.required.push_back(*field);
    }
  }

  if (!root.contains("columns")) return bad("missing [columns] table");
  for (const auto& [key, value] : toml::find(root, "columns").as_table()) {
    const auto field = field_of(key);
    if (!field) return bad(fmt::format("[columns] unknown field '{}'", key));
    if (!value.is_string()) return bad(fmt::format("[columns] {}: expected the column's header as a string", key));
    p.columns[*field] = value.as_string();
  }
  if (root.contains("labels")) {
    for (const auto& [key, table] : toml::find(root, "labels").as_table()) {
      const auto field = field_of(key);
      if (!field) return bad(fmt::format("[labels.{}] unknown field", key));
      if (!table.is_table()) return bad(fmt::format("[labels.{}] must be a table", key));
      for (const auto& [label, code] : table.as_table()) {
        if (!code.is_string()) return bad(fmt::format("[labels.{}] '{}': expected a string", key, label));
        if (auto valid = check_code(*field, code.as_string()); !valid) {
          return bad(fmt::format("[labels.{}] '{}': {}", key, label, valid.error().message));
        }
        p.labels[*field][lower(label)] = code.as_string();
      }
    }
  }

  const auto has = [&](Field f) { return p.columns.count(f) > 0; };
  if (!has(Field::kNationalId) && !(has(Field::kFirstName) && has(Field::kLastName) && has(Field::kBirthDate))) {
    return bad("the profile cannot identify a person: map national_id, or first_name, last_name and birth_date");
  }
  if (!p.mandate && !has(Field::kMandate)) return bad("no mandate: set [record] mandate or map a mandate column");
  if (!p.role && !has(Field::kRole)) return bad("no role: set [record] role or map a role column");
  for (const Field f : p.required) {
    if (!has(f)) return bad(fmt::format("[record] required field '{}' has no column", field_key(f)));
  }
  return p;
}

}  // namespace

std::string_view field_key(Field field) {
  for (const auto& [f, name] : kFields) {
    if (f == field) return name;
  }
  return "unknown";
}

bool is_identifying(Field field) {
  return field == Field::kNationalId || field == Field::kFirstName || field == Field::kLastName ||
         field == Field::kBirthDate;
}

bool is_identifying(const SourceProfile& profile, Field field) {
  if (is_identifying(field)) return true;
  const auto column = profile.columns.find(field);
  if (column == profile.columns.end()) return false;
  const std::string header = lower(column->second);
  return std::find(profile.identifying_columns.begin(), profile.identifying_columns.end(), header) !=
         profile.identifying_columns.end();
}

Result<SourceProfile> load_profile(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) {
    return fail(ErrorCode::kIo, fmt::format("{}: no such profile", path.string()));
  }
  std::ifstream file(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  // TOML is UTF-8; toml11 reads past the end of its buffer on some invalid UTF-8 inside a
  // string (found by fuzzing), so such a file never reaches it.
  if (const auto invalid = first_invalid_utf8(text)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: not UTF-8 at byte {}; profiles must be UTF-8", path.string(), *invalid));
  }
  try {
    std::istringstream in(text);
    const toml::value root = toml::parse(in, path.string());
    return parse(root, path.string());
  } catch (const std::exception& e) {
    // toml11's messages quote the offending line of the profile, which holds no personal data.
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path.string(), e.what()));
  }
}

}  // namespace rapporteur::intake
