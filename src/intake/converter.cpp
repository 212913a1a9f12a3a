#include "intake/internal/converter.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <charconv>
#include <cstring>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "intake/comparison.h"
#include "intake/internal/dates.h"

namespace rapporteur::intake::internal {
namespace {

std::string_view trim(std::string_view s) {
  const auto begin = s.find_first_not_of(" \t\r\n");
  if (begin == std::string_view::npos) return {};
  const auto end = s.find_last_not_of(" \t\r\n");
  return s.substr(begin, end - begin + 1);
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// Lower-cases `text` into `out`, reusing its storage.
void lower_into(std::string_view text, std::string& out) {
  out.resize(text.size());
  std::transform(text.begin(), text.end(), out.begin(), ascii_lower);
}

std::string lower(std::string_view text) {
  std::string out;
  lower_into(text, out);
  return out;
}

// The first row of each identity (person key, mandate and role) in one extract, to reject
// later rows of the same person as duplicates. Open addressing over small slots, entries kept
// densely: a hash-map node per row cost an allocation and two cache misses per row, and a
// tenth of the conversion at a million rows.
class DuplicateIndex {
 public:
  // The row that already holds the identity of `r`; otherwise records `row` and gives nullopt.
  std::optional<long> first_row(const Registration& r, long row) {
    Entry entry{};
    assert(r.person_key.size() == 2 * entry.key.size() && "person keys are hex SHA-256");
    if (r.person_key.size() < 2 * entry.key.size()) return std::nullopt;  // Not ours: never in release.
    for (std::size_t i = 0; i < entry.key.size(); ++i) {
      entry.key[i] = static_cast<std::uint8_t>(nibble(r.person_key[2 * i]) << 4 | nibble(r.person_key[2 * i + 1]));
    }
    entry.mandate = static_cast<std::uint8_t>(r.mandate);
    entry.role = static_cast<std::uint8_t>(r.role);
    entry.row = row;
    if (2 * (entries_.size() + 1) > slots_.size()) grow();
    const std::uint64_t hash = hash_of(entry);
    const auto tag = static_cast<std::uint32_t>(hash >> 32);
    const std::size_t mask = slots_.size() - 1;
    std::size_t at = hash & mask;
    for (; slots_[at].index != kEmpty; at = (at + 1) & mask) {
      const Entry& seen = entries_[slots_[at].index];
      if (slots_[at].tag == tag && seen.key == entry.key && seen.mandate == entry.mandate && seen.role == entry.role) {
        return seen.row;
      }
    }
    slots_[at] = {static_cast<std::uint32_t>(entries_.size()), tag};
    entries_.push_back(entry);
    return std::nullopt;
  }

 private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFF;
  struct Entry {
    std::array<std::uint8_t, 32> key;
    long row;
    std::uint8_t mandate;
    std::uint8_t role;
  };
  struct Slot {
    std::uint32_t index = kEmpty;
    std::uint32_t tag = 0;
  };

  // A hex digit's value without branches: '0'-'9' are 0x30-0x39, 'a'-'f' and 'A'-'F' have bit
  // 6 set and 1-6 in their low bits.
  static int nibble(char c) {
    const auto u = static_cast<unsigned>(static_cast<unsigned char>(c));
    return static_cast<int>((u & 0xF) + 9 * (u >> 6));
  }
  // The key is a keyed hash: its first eight bytes are already spread evenly.
  static std::uint64_t hash_of(const Entry& e) {
    std::uint64_t head = 0;
    std::memcpy(&head, e.key.data(), sizeof head);
    return head ^ (static_cast<std::uint64_t>(e.mandate) * 0x9E3779B97F4A7C15ULL) ^
           (static_cast<std::uint64_t>(e.role) * 0xC2B2AE3D27D4EB4FULL);
  }
  void grow() {
    slots_.assign(slots_.empty() ? 4096 : 2 * slots_.size(), Slot{});
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = 0; i < entries_.size(); ++i) {
      const std::uint64_t hash = hash_of(entries_[i]);
      std::size_t at = hash & mask;
      while (slots_[at].index != kEmpty) at = (at + 1) & mask;
      slots_[at] = {static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(hash >> 32)};
    }
  }

  std::vector<Slot> slots_;
  std::vector<Entry> entries_;
};

// The column of each field in the file, or -1 when the profile does not map it.
using ColumnOfField = std::array<int, static_cast<std::size_t>(Field::kRecordId) + 1>;
ColumnOfField no_columns() {
  ColumnOfField columns;
  columns.fill(-1);
  return columns;
}

// What the loader knows about identifying data in a file's columns.
struct IdentifyingColumns {
  std::array<bool, static_cast<std::size_t>(Field::kRecordId) + 1> field{};  // By field.
  std::vector<std::size_t> columns;  // Every identifying column of the file: mapped or marked.
};

constexpr std::size_t kMaxShownValue = 40;
constexpr int kMaxShownDigits = 4;

// True when `value` has the shape of a label or code: short, letters, at most one run of at
// most four digits (a national id has more, a date has several runs), and none of the
// characters of e-mail addresses, phone numbers or paths.
bool looks_like_a_label(std::string_view value) {
  if (value.empty() || value.size() > kMaxShownValue) return false;
  int digits = 0;
  int runs = 0;
  bool in_digits = false;
  for (const char c : value) {
    const auto u = static_cast<unsigned char>(c);
    const bool digit = u >= '0' && u <= '9';
    if (digit) {
      ++digits;
      if (!in_digits) ++runs;
    } else if (!(std::isalpha(u) || u >= 0x80 || c == ' ' || c == '-' || c == '_' || c == '.' || c == '\'' ||
                 c == '(' || c == ')' || c == '&' || c == '/')) {
      return false;
    }
    in_digits = digit;
  }
  return digits <= kMaxShownDigits && runs <= 1;
}

// True when `value` equals, contains or is contained in the value of an identifying column
// of `row`: then it is (part of) that value, e.g. a surname that a shifted row put in the sex
// column next to its own copy, or an address in a label column.
bool resembles_identifying(std::string_view value, const internal::Row& row, const IdentifyingColumns& identifying) {
  const std::string folded = lower(value);
  const std::string name = normalise_name(value);
  for (const std::size_t column : identifying.columns) {
    if (column >= row.fields.size()) continue;
    const std::string_view cell = trim(row.fields[column]);
    if (cell.empty()) continue;
    if (lower(cell) == folded) return true;
    const std::string cell_name = normalise_name(cell);
    if (name.empty() || cell_name.size() < 3) continue;
    if (cell_name.find(name) != std::string::npos || name.find(cell_name) != std::string::npos) return true;
  }
  return false;
}

// The row being converted, with the errors found so far. Whether an error may show the value
// that caused it is decided once the whole row is known (see finish()).
class RowConversion {
 public:
  RowConversion(const SourceProfile& profile, const ColumnOfField& column_of_field,
                const IdentifyingColumns& identifying, const std::vector<std::string>& header, const internal::Row& row,
                std::string& scratch)
      : profile_(profile),
        columns_(column_of_field),
        identifying_(identifying),
        header_(header),
        row_(row),
        code_(scratch) {}

  // The trimmed text of `field` (a view into the row), or nullopt when unmapped or empty.
  std::optional<std::string_view> text(Field field) const {
    const int column = columns_[static_cast<std::size_t>(field)];
    if (column < 0 || static_cast<std::size_t>(column) >= row_.fields.size()) return std::nullopt;
    const std::string_view value = trim(row_.fields[static_cast<std::size_t>(column)]);
    if (value.empty()) return std::nullopt;
    return value;
  }

  // Records a problem with `field`. `reason` may quote the value; `reason_without_value` is
  // the same reason without it (empty: `reason` does not quote it), used when the value is
  // withheld.
  void error(Field field, std::string reason, std::string reason_without_value = "") {
    if (is_identifying(field)) identifying_failed_ = true;
    pending_.push_back({field, std::move(reason), std::move(reason_without_value)});
  }
  // Records a problem with the whole row; its reason never quotes a value.
  void row_error(std::string reason) { pending_.push_back({std::nullopt, std::move(reason), ""}); }

  bool has_errors() const { return !pending_.empty(); }

  // Maps the value of `field` through the profile's labels (or takes our own code), then
  // parses it. Missing values give nullopt; unknown labels record an error.
  template <typename T, typename Parser>
  std::optional<T> coded(Field field, Parser parser) {
    const auto value = text(field);
    if (!value) return std::nullopt;
    std::string& code = code_;
    lower_into(*value, code);
    if (const auto table = profile_.labels.find(field); table != profile_.labels.end()) {
      const auto label = table->second.find(code);
      if (label == table->second.end()) {
        std::string known;
        for (const auto& [l, c] : table->second) known += (known.empty() ? "'" : ", '") + l + "'";
        error(field, fmt::format("unknown label for {}; expected one of {}", field_key(field), known));
        return std::nullopt;
      }
      code = label->second;
    }
    auto parsed = parser(code);
    if (!parsed) {
      // Our parsers quote the code they were given ("unknown sex 'x'; expected one of: ...").
      std::string without = parsed.error().message;
      if (const auto at = without.find(" '" + code + "'"); at != std::string::npos) {
        without.erase(at, code.size() + 3);
      } else if (!code.empty() && lower(without).find(code) != std::string::npos) {
        without = fmt::format("invalid {}", field_key(field));
      }
      error(field, parsed.error().message, std::move(without));
      return std::nullopt;
    }
    return *parsed;
  }

  // Moves the row's errors to `errors`. A value is kept only when it may be shown: its field is
  // not identifying, the row is intact (no more fields than the header, no identifying field or
  // the row as a whole in error), the value looks like a label and resembles no identifying
  // value of the row. Otherwise the error keeps no value and its reason says "(value
  // withheld)". docs/intake.md explains the rule.
  void finish(std::vector<store::RowError>& errors) {
    const bool intact = row_.fields.size() <= header_.size() && !identifying_failed_ &&
                        std::none_of(pending_.begin(), pending_.end(), [](const Pending& p) { return !p.field; });
    for (Pending& p : pending_) {
      if (!p.field) {
        errors.push_back({0, row_.number, "", std::move(p.reason), ""});
        continue;
      }
      const int at = columns_[static_cast<std::size_t>(*p.field)];
      std::string column = at < 0 ? std::string(field_key(*p.field)) : header_[static_cast<std::size_t>(at)];
      const std::string_view value = text(*p.field).value_or("");
      if (value.empty()) {
        errors.push_back({0, row_.number, std::move(column), std::move(p.reason), ""});
      } else if (!is_identifying(*p.field) && intact && looks_like_a_label(value) &&
                 !resembles_identifying(value, row_, identifying_)) {
        errors.push_back({0, row_.number, std::move(column), std::move(p.reason), std::string(value)});
      } else {
        std::string reason = p.reason_without_value.empty() ? std::move(p.reason) : std::move(p.reason_without_value);
        errors.push_back({0, row_.number, std::move(column), reason + " (value withheld)", ""});
      }
    }
    pending_.clear();
  }

 private:
  struct Pending {
    std::optional<Field> field;  // nullopt: the row as a whole.
    std::string reason;
    std::string reason_without_value;
  };

  bool is_identifying(Field field) const { return identifying_.field[static_cast<std::size_t>(field)]; }

  const SourceProfile& profile_;
  const ColumnOfField& columns_;
  const IdentifyingColumns& identifying_;
  const std::vector<std::string>& header_;
  const internal::Row& row_;
  std::vector<Pending> pending_;
  bool identifying_failed_ = false;
  std::string& code_;  // The lower-cased value being coded (the loader's, reused).
};

}  // namespace

struct RowConverter::Impl {
  Impl(store::RegistrationStore& store, const PseudonymKey& key, const SourceProfile& profile,
       const LoadOptions& options)
      : store_(store), key_(key), profile_(profile), options_(options) {}

  Result<void> prepare(const internal::RowReader& reader) {
    const auto& header = reader.header();
    for (const auto& [field, column] : profile_.columns) {
      // A named reference: clang 14 (the fuzz preset's compiler) cannot capture a structured binding.
      const std::string& wanted = column;
      const auto it =
          std::find_if(header.begin(), header.end(), [&](const std::string& h) { return lower(h) == lower(wanted); });
      if (it == header.end()) {
        // The header's own cells are not listed: in a file without a header row they are a
        // person's data.
        const auto found = std::count_if(profile_.columns.begin(), profile_.columns.end(), [&](const auto& mapped) {
          return std::any_of(header.begin(), header.end(),
                             [&](const std::string& h) { return lower(h) == lower(mapped.second); });
        });
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("{}: column '{}' ({}) is not in the header row; it has {} of the profile's {} "
                                "columns (its cells are not shown: without a header row they would be a "
                                "person's data)",
                                options_.file.string(), column, field_key(field), found, profile_.columns.size()));
      }
      columns_[static_cast<std::size_t>(field)] = static_cast<int>(it - header.begin());
    }
    header_ = header;
    for (const auto& [field, column] : profile_.columns) {
      if (!is_identifying(profile_, field)) continue;
      identifying_.field[static_cast<std::size_t>(field)] = true;
      identifying_.columns.push_back(static_cast<std::size_t>(columns_[static_cast<std::size_t>(field)]));
    }
    for (std::size_t i = 0; i < header.size(); ++i) {
      const std::string name = lower(trim(header[i]));
      if (std::find(profile_.identifying_columns.begin(), profile_.identifying_columns.end(), name) !=
          profile_.identifying_columns.end()) {
        identifying_.columns.push_back(i);
      }
    }
    ASSIGN_OR_RETURN(const auto regions, store_.regions());
    for (const Region& region : regions) {
      if (region.level != RegionLevel::kMunicipality) continue;
      region_codes_.insert(region.code);
      region_names_[normalise_name(region.name)] = region.code;
    }
    return ok();
  }

  // Converts one row; returns the registration or records why not.
  std::optional<Registration> convert(const internal::Row& row, std::vector<store::RowError>& errors) {
    RowConversion c(profile_, columns_, identifying_, header_, row, scratch_);
    if (row.fields.size() > header_.size()) {
      c.row_error(fmt::format("the row has {} fields but the header has {}", row.fields.size(), header_.size()));
    }
    for (const Field field : profile_.required) {
      if (!c.text(field)) c.error(field, fmt::format("{} is required but empty", field_key(field)));
    }
    Registration r;
    r.source_code = profile_.source.code;
    r.year = options_.year;
    const bool xlsx = profile_.format == FileFormat::kXlsx;

    std::optional<Date> registered_on;
    if (const auto text = c.text(Field::kRegistrationDate)) {
      auto date = parse_date(*text, profile_.date_format, xlsx ? SerialDates::kAccept : SerialDates::kRefuse);
      if (!date) {
        c.error(Field::kRegistrationDate, date.error().message);
      } else if (date->year != options_.year) {
        c.error(Field::kRegistrationDate, fmt::format("registration date is not in {}", options_.year));
      } else {
        registered_on = *date;
      }
    }
    // Without a registration date, age is taken on 1 July of the year.
    const Date reference = registered_on.value_or(Date{options_.year, 7, 1});

    Identifiers ids;
    ids.national_id = c.text(Field::kNationalId);
    ids.first_name = c.text(Field::kFirstName);
    ids.last_name = c.text(Field::kLastName);
    std::optional<Date> birth;
    std::array<char, 10> birth_iso{};
    if (const auto text = c.text(Field::kBirthDate)) {
      auto date = parse_date(*text, profile_.date_format, xlsx ? SerialDates::kAccept : SerialDates::kRefuse);
      if (!date) {
        c.error(Field::kBirthDate, date.error().message);
      } else if (*date > Date{options_.year, 12, 31}) {
        c.error(Field::kBirthDate, "date of birth lies after the registration year");
      } else {
        birth = *date;
        birth_iso = date->iso();
        ids.birth_date = std::string_view(birth_iso.data(), birth_iso.size());
      }
    }
    if (ids.national_id && normalise_national_id(*ids.national_id).size() < 5) {
      c.error(Field::kNationalId, "national id number has fewer than 5 digits");
      ids.national_id.reset();
    }
    weak_ = false;
    bool identified = true;
    if (auto keys = person_keys_into(key_, ids, keys_); !keys) {
      const bool has_name = (ids.first_name && !normalise_name(*ids.first_name).empty()) ||
                            (ids.last_name && !normalise_name(*ids.last_name).empty());
      if (!has_name) {
        c.row_error("cannot identify the person: " + keys.error().message);
        identified = false;
      } else {
        // A name without an id number or a date of birth: kept and linked probabilistically
        // on what it has (issue 16). Its own key, from the row's place and not its values,
        // keeps exact-key linkage from joining namesakes.
        weak_ = true;
        keys_.name_key.reset();
        key_.hmac_hex_into(fmt::format("row:{}|{}|{}", profile_.source.code, options_.year, row.number), keys_.primary);
      }
    }
    if (identified) {
      r.person_key = keys_.primary;
      if (keys_.name_key && *keys_.name_key != keys_.primary) r.name_key = keys_.name_key;
      if (options_.encodings == Encodings::kWithBloomFilters) {
        r.name_bloom = name_encoder_.encode(normalise_name(ids.first_name.value_or("")) + " " +
                                            normalise_name(ids.last_name.value_or("")));
        if (ids.birth_date) r.birth_bloom = birth_encoder_.encode(*ids.birth_date);
        if (auto fields = comparison_encoder_.encode(ids); !fields) {
          c.error(Field::kBirthDate, fields.error().message);
        } else {
          r.comparison = std::move(*fields);
          // The national id's key: the first 16 hex digits of the person key made from it.
          if (ids.national_id) r.comparison.national_id_key = keys_.primary.substr(0, 16);
        }
      }
      // A rotated key's layers, the same way a rotation re-keyed the stored rows.
      if (key_.layer_count() > 0) {
        if (auto layered = key_.apply_layers(0, r.person_key, r.name_key, r.name_bloom, r.birth_bloom, r.comparison);
            !layered) {
          c.row_error("cannot apply the key's layers: " + layered.error().message);
        }
      }
    }

    if (const auto text = c.text(Field::kAge)) {
      int age = -1;
      const bool numeric =
          std::all_of(text->begin(), text->end(), [](char ch) { return std::isdigit(static_cast<unsigned char>(ch)); });
      if (numeric && text->size() <= 3) std::from_chars(text->data(), text->data() + text->size(), age);
      if (age < 0 || age > 120) {
        c.error(Field::kAge, "age must be a whole number from 0 to 120");
      } else {
        r.age = age;
      }
    } else if (birth) {
      const int age = age_on(*birth, reference);
      if (age < 0 || age > 120) {
        c.error(Field::kBirthDate, "age at registration would be outside 0..120");
      } else {
        r.age = age;
      }
    }

    r.mandate = profile_.mandate.value_or(Mandate::kHumanTrafficking);
    if (auto m = c.coded<Mandate>(Field::kMandate, parse_mandate))
      r.mandate = *m;
    else if (!profile_.mandate && !c.text(Field::kMandate))
      c.error(Field::kMandate, "mandate is empty");
    r.role = profile_.role.value_or(Role::kVictim);
    if (auto role = c.coded<Role>(Field::kRole, parse_role))
      r.role = *role;
    else if (!profile_.role && !c.text(Field::kRole))
      c.error(Field::kRole, "role is empty");

    if (r.mandate == Mandate::kHumanTrafficking) {
      r.exploitation_form = c.coded<ExploitationForm>(Field::kExploitationForm, parse_exploitation_form)
                                .value_or(ExploitationForm::kUnknown);
    } else {
      r.offence_type = c.coded<OffenceType>(Field::kOffenceType, parse_offence_type).value_or(OffenceType::kUnknown);
    }
    r.sex = c.coded<Sex>(Field::kSex, parse_sex).value_or(Sex::kUnknown);
    r.residence_status =
        c.coded<ResidenceStatus>(Field::kResidenceStatus, parse_residence_status).value_or(ResidenceStatus::kUnknown);
    if (r.role == Role::kSuspect) {
      r.chain_stage = c.coded<ChainStage>(Field::kChainStage, parse_chain_stage);
    }
    r.nationality = c.coded<std::string>(Field::kNationality, [](const std::string& code) -> Result<std::string> {
      std::string upper = code;
      std::transform(upper.begin(), upper.end(), upper.begin(),
                     [](unsigned char ch) { return static_cast<char>(std::toupper(ch)); });
      if (upper.size() != 2 || !std::isalpha(static_cast<unsigned char>(upper[0])) ||
          !std::isalpha(static_cast<unsigned char>(upper[1]))) {
        return fail(ErrorCode::kInvalidArgument, "nationality is not an ISO 3166-1 alpha-2 code or a known label");
      }
      return upper;
    });
    r.region_code =
        c.coded<std::string>(Field::kRegion, [&](const std::string& value) { return resolve_region(value); });
    if (const auto record_id = c.text(Field::kRecordId)) {
      if (auto valid = validate_record_id(*record_id); !valid) {
        c.error(Field::kRecordId, fmt::format("record_id: {}", valid.error().message));
      } else {
        r.record_id = std::string(*record_id);
      }
    }

    if (!c.has_errors()) {
      if (auto valid = validate(r); !valid) c.row_error(valid.error().message);
    }
    if (!c.has_errors()) {
      // One source registers a person once per year, mandate and role.
      if (const auto first = first_row_of_.first_row(r, row.number)) {
        c.row_error(fmt::format("duplicate: the same person is already registered in row {}", *first));
      }
    }
    if (c.has_errors()) {
      c.finish(errors);
      return std::nullopt;
    }
    return r;
  }

  // Whether the row last converted was kept with a name only (no id number, no date of birth).
  bool converted_weak() const { return weak_; }

  Result<std::string> resolve_region(const std::string& value) {
    if (profile_.region_by == RegionBy::kName || profile_.labels.count(Field::kRegion)) {
      // Labels already mapped a name to a code; otherwise match the municipality's name.
      if (value.size() == 6 && (value.starts_with("GM") || value.starts_with("gm")) &&
          region_codes_.count("GM" + value.substr(2))) {
        return "GM" + value.substr(2);
      }
      const auto it = region_names_.find(normalise_name(value));
      if (it == region_names_.end()) {
        return fail(ErrorCode::kInvalidArgument, "unknown municipality name");
      }
      return it->second;
    }
    std::string digits = value;
    if (digits.size() >= 2 && (lower(digits.substr(0, 2)) == "gm")) digits = digits.substr(2);
    if (digits.empty() || digits.size() > 4 || !std::all_of(digits.begin(), digits.end(), [](char ch) {
          return std::isdigit(static_cast<unsigned char>(ch));
        })) {
      return fail(ErrorCode::kInvalidArgument, "not a CBS municipality code (GM followed by 4 digits)");
    }
    const std::string code = "GM" + std::string(4 - digits.size(), '0') + digits;
    if (!region_codes_.count(code)) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("unknown municipality code {}", code));
    }
    return code;
  }

  store::RegistrationStore& store_;
  const PseudonymKey& key_;
  const SourceProfile& profile_;
  const LoadOptions& options_;
  ColumnOfField columns_ = no_columns();
  IdentifyingColumns identifying_;
  std::vector<std::string> header_;
  std::unordered_set<std::string> region_codes_;
  std::unordered_map<std::string, std::string> region_names_;
  DuplicateIndex first_row_of_;
  PersonKeys keys_;      // The keys of the row being converted (storage reused).
  std::string scratch_;  // A coded value being looked up (storage reused).
  BloomEncoder name_encoder_{key_, "name"};
  BloomEncoder birth_encoder_{key_, "birth"};
  ComparisonEncoder comparison_encoder_{key_};
  bool weak_ = false;
};

RowConverter::RowConverter(store::RegistrationStore& store, const PseudonymKey& key, const SourceProfile& profile,
                           const LoadOptions& options)
    : impl_(std::make_unique<Impl>(store, key, profile, options)) {}
RowConverter::~RowConverter() = default;
Result<void> RowConverter::prepare(const RowReader& reader) { return impl_->prepare(reader); }
std::optional<Registration> RowConverter::convert(const Row& row, std::vector<store::RowError>& errors) {
  return impl_->convert(row, errors);
}
bool RowConverter::converted_weak() const { return impl_->converted_weak(); }

}  // namespace rapporteur::intake::internal
