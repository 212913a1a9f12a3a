#include <bit>
#include <cassert>
#include <cstring>
#include <set>

#include <fmt/format.h>

#include "linkage/dice.h"
#include "linkage/probabilistic.h"

namespace rapporteur::linkage {

Result<BloomBits> bloom_from_bytes(std::string_view bytes) {
  BloomBits bits;
  if (bytes.size() > kBloomWords * 8) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("a Bloom encoding of {} bytes; expected at most {}", bytes.size(), kBloomWords * 8));
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    bits.words[i / 8] |= std::uint64_t{static_cast<unsigned char>(bytes[i])} << (8 * (i % 8));
  }
  for (const auto word : bits.words) bits.ones += static_cast<std::uint32_t>(std::popcount(word));
  return bits;
}

double dice(const BloomBits& a, const BloomBits& b) {
  if (a.ones == 0 || b.ones == 0) return 0.0;
  return 2.0 * common_bits(a, b) / (a.ones + b.ones);
}

Result<std::uint64_t> key_from_hex(std::string_view hex) {
  if (hex.empty()) return std::uint64_t{0};
  if (hex.size() < 16) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("a keyed hash of {} hex digits; expected at least 16", hex.size()));
  }
  std::uint64_t key = 0;
  for (std::size_t i = 0; i < 16; ++i) {
    const char c = hex[i];
    int digit = -1;
    if (c >= '0' && c <= '9') digit = c - '0';
    if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    if (digit < 0) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("a keyed hash with a non-hex digit at {}", i));
    }
    key = key << 4 | static_cast<std::uint64_t>(digit);
  }
  return key == 0 ? std::uint64_t{1} : key;
}

int level_count(const FieldSpec& field) {
  switch (field.kind) {
    case FieldKind::kName:
      return 3 + static_cast<int>(field.dice_levels.size());
    case FieldKind::kKey:
      return 3;
    case FieldKind::kDate:
      return kDateExact + 1;
  }
  return 0;
}

Result<RecordSet> RecordSet::create(std::vector<FieldSpec> fields) {
  if (fields.empty() || fields.size() > 16) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("a record schema of {} fields; expected 1 to 16", fields.size()));
  }
  std::set<std::string> names;
  for (const auto& field : fields) {
    if (!names.insert(field.name).second) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("field '{}' is listed twice", field.name));
    }
    if (field.kind != FieldKind::kName) continue;
    // Levels must fit the pattern's 4 bits per field.
    if (field.dice_levels.empty() || field.dice_levels.size() > 12) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("name field '{}' has {} Dice thresholds; expected 1 to 12",
                                                           field.name, field.dice_levels.size()));
    }
    for (std::size_t i = 0; i < field.dice_levels.size(); ++i) {
      const double t = field.dice_levels[i];
      if (!(t > 0 && t <= 1) || (i > 0 && t >= field.dice_levels[i - 1])) {
        return fail(
            ErrorCode::kInvalidArgument,
            fmt::format("name field '{}': Dice threshold {} is not in (0, 1] below the one before", field.name, t));
      }
    }
  }
  return RecordSet(std::move(fields));
}

RecordSet::RecordSet(std::vector<FieldSpec> fields) : fields_(std::move(fields)), columns_(fields_.size()) {}

std::uint32_t RecordSet::add(std::uint32_t source) {
  const auto index = static_cast<std::uint32_t>(sources_.size());
  sources_.push_back(source);
  for (std::size_t f = 0; f < fields_.size(); ++f) {
    auto& column = columns_[f];
    switch (fields_[f].kind) {
      case FieldKind::kName:
        column.blooms.emplace_back();
        column.keys.push_back(0);
        break;
      case FieldKind::kKey:
        column.keys.push_back(0);
        break;
      case FieldKind::kDate:
        column.dates.emplace_back();
        break;
    }
  }
  return index;
}

std::optional<std::size_t> RecordSet::field_index(std::string_view name) const {
  for (std::size_t f = 0; f < fields_.size(); ++f) {
    if (fields_[f].name == name) return f;
  }
  return std::nullopt;
}

void RecordSet::set_name(std::uint32_t record, std::size_t field, const BloomBits& bits, std::uint64_t exact) {
  assert(field < fields_.size() && fields_[field].kind == FieldKind::kName && "set_name on a name field");
  columns_[field].blooms[record] = bits;
  columns_[field].keys[record] = bits.ones == 0 ? 0 : exact;
}

void RecordSet::set_key(std::uint32_t record, std::size_t field, std::uint64_t key) {
  assert(field < fields_.size() && fields_[field].kind == FieldKind::kKey && "set_key on a key field");
  columns_[field].keys[record] = key;
}

void RecordSet::set_date(std::uint32_t record, std::size_t field, const DateKeys& date) {
  assert(field < fields_.size() && fields_[field].kind == FieldKind::kDate && "set_date on a date field");
  columns_[field].dates[record] = date;
}

}  // namespace rapporteur::linkage
