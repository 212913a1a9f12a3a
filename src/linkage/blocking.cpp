#include <algorithm>

#include <fmt/format.h>

#include "linkage/internal/scoring.h"

namespace rapporteur::linkage::internal {
namespace {

// splitmix64's finaliser: spreads combined keys over 64 bits.
std::uint64_t mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

struct ResolvedKey {
  std::size_t field = 0;
  DatePart part = DatePart::kWhole;
};

// The rule's blocking value of a record, or 0 when a key is missing.
std::uint64_t block_value(const RecordSet& records, const std::vector<ResolvedKey>& keys, std::uint32_t r);

// The same with the keys taken in any order: each key hashed alone, the hashes sorted.
std::uint64_t block_value_any_order(const RecordSet& records, const std::vector<ResolvedKey>& keys, std::uint32_t r) {
  std::vector<std::uint64_t> each;
  each.reserve(keys.size());
  for (const auto& k : keys) {
    const auto v = block_value(records, {k}, r);
    if (v == 0) return 0;
    each.push_back(v);
  }
  std::sort(each.begin(), each.end());
  std::uint64_t h = 0x13198a2e03707344ULL;
  for (const auto v : each) h = mix(h ^ v);
  return h == 0 ? 1 : h;
}

std::uint64_t block_value(const RecordSet& records, const std::vector<ResolvedKey>& keys, std::uint32_t r) {
  std::uint64_t h = 0x243f6a8885a308d3ULL;
  // Month and day share one key: the day is told apart by its position in the hash chain.
  const auto add = [&h](std::uint64_t part) {
    if (part == 0) return false;
    h = mix(h ^ part);
    return true;
  };
  for (const auto& k : keys) {
    switch (records.fields()[k.field].kind) {
      case FieldKind::kName:
      case FieldKind::kKey:
        if (!add(records.key(r, k.field))) return 0;
        break;
      case FieldKind::kDate: {
        const auto& d = records.date(r, k.field);
        const bool year = k.part == DatePart::kMonthDay || add(d.year);
        const bool month_day = k.part == DatePart::kYear || (add(d.month) && add(d.day));
        if (!year || !month_day) return 0;
        break;
      }
    }
  }
  return h == 0 ? 1 : h;
}

}  // namespace

Result<Blocked> block(const RecordSet& records, const LinkOptions& options, std::size_t max_rule_pairs) {
  if (options.blocking.empty()) {
    return fail(ErrorCode::kInvalidArgument, "no blocking rule; expected at least one");
  }
  Blocked blocked;
  const auto n = static_cast<std::uint32_t>(records.size());
  std::vector<std::pair<std::uint64_t, std::uint32_t>> values;
  std::vector<std::uint64_t> rule_pairs;
  std::vector<std::uint64_t> merged;
  for (const auto& rule : options.blocking) {
    std::vector<ResolvedKey> keys;
    if (rule.keys.empty()) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("blocking rule '{}' has no keys", rule.name));
    }
    for (const auto& key : rule.keys) {
      const auto field = records.field_index(key.field);
      if (!field) {
        return fail(
            ErrorCode::kInvalidArgument,
            fmt::format("blocking rule '{}' names field '{}', which the records do not have", rule.name, key.field));
      }
      if (key.part != DatePart::kWhole && records.fields()[*field].kind != FieldKind::kDate) {
        return fail(
            ErrorCode::kInvalidArgument,
            fmt::format("blocking rule '{}' takes a date part of '{}', which is not a date", rule.name, key.field));
      }
      keys.push_back({*field, key.part});
    }
    values.clear();
    auto& record_values = blocked.values.emplace_back(n, 0);
    auto& rule_fields = blocked.fields.emplace_back();
    for (const auto& k : keys) rule_fields.push_back(k.field);
    for (std::uint32_t r = 0; r < n; ++r) {
      const auto v =
          rule.order == KeyOrder::kAnyOrder ? block_value_any_order(records, keys, r) : block_value(records, keys, r);
      record_values[r] = v;
      if (v != 0) values.emplace_back(v, r);
    }
    std::sort(values.begin(), values.end());
    BlockingCount count{.rule = rule.name};
    rule_pairs.clear();
    // Pairs the rule gives, to decide whether to sample.
    double all_pairs = 0;
    for (std::size_t begin = 0; begin < values.size();) {
      std::size_t end = begin + 1;
      while (end < values.size() && values[end].first == values[begin].first) ++end;
      const auto size = static_cast<double>(end - begin);
      if (end - begin <= options.max_block_size) all_pairs += size * (size - 1) / 2;
      begin = end;
    }
    const double keep = max_rule_pairs == 0 || all_pairs <= static_cast<double>(max_rule_pairs)
                            ? 1.0
                            : static_cast<double>(max_rule_pairs) / all_pairs;
    std::uint64_t draw = options.seed ^ mix(blocked.counts.size() + 1);
    const auto uniform = [&draw] { return static_cast<double>(mix(++draw) >> 11) * 0x1.0p-53; };
    for (std::size_t begin = 0; begin < values.size();) {
      std::size_t end = begin + 1;
      while (end < values.size() && values[end].first == values[begin].first) ++end;
      if (end - begin > options.max_block_size) {
        ++count.oversized_blocks;
      } else if (keep < 1.0) {
        // A random sample of the block's pairs, as many as its share of the cap (repeats
        // removed below).
        const auto size = end - begin;
        const double expected = keep * static_cast<double>(size) * static_cast<double>(size - 1) / 2;
        auto k = static_cast<std::size_t>(expected);
        if (uniform() < expected - static_cast<double>(k)) ++k;
        for (std::size_t drawn = 0; drawn < k; ++drawn) {
          const auto i = static_cast<std::size_t>(mix(++draw) % size);
          auto j = static_cast<std::size_t>(mix(++draw) % (size - 1));
          if (j >= i) ++j;
          const auto a = values[begin + i].second;
          const auto b = values[begin + j].second;
          if (options.scope == PairScope::kAcrossSources && records.source(a) == records.source(b)) continue;
          rule_pairs.push_back(pack(a, b));
        }
      } else {
        for (std::size_t i = begin; i < end; ++i) {
          for (std::size_t j = i + 1; j < end; ++j) {
            const auto a = values[i].second;
            const auto b = values[j].second;
            if (options.scope == PairScope::kAcrossSources && records.source(a) == records.source(b)) continue;
            rule_pairs.push_back(pack(a, b));
          }
        }
      }
      begin = end;
    }
    std::sort(rule_pairs.begin(), rule_pairs.end());
    rule_pairs.erase(std::unique(rule_pairs.begin(), rule_pairs.end()), rule_pairs.end());
    count.pairs = static_cast<std::int64_t>(rule_pairs.size());
    merged.clear();
    merged.reserve(blocked.pairs.size() + rule_pairs.size());
    std::set_union(blocked.pairs.begin(), blocked.pairs.end(), rule_pairs.begin(), rule_pairs.end(),
                   std::back_inserter(merged));
    count.new_pairs = static_cast<std::int64_t>(merged.size() - blocked.pairs.size());
    blocked.pairs.swap(merged);
    blocked.counts.push_back(count);
  }
  return blocked;
}

}  // namespace rapporteur::linkage::internal
