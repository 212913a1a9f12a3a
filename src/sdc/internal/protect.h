// The suppression's single run (suppress.cpp), which protect() improves on (improve.cpp).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sdc/sdc.h"

namespace rapporteur::sdc::internal {

// One protection: primary cells, the grown pattern, the release pass. Fails as protect().
Result<Protection> protect_once(const Problem& problem);

// Unsafe under the minimum-frequency rule: 1 .. n-1 units, or 0 when zeros are unsafe.
inline bool is_unsafe(const Rule& rule, std::int64_t v) {
  return (v >= 1 && v < rule.min_frequency) || (v == 0 && rule.zeros == ZeroCells::kUnsafe);
}

// How protect_with may treat a large sparse table: the whole-level route, or (for the table
// that route leaves, whose dimension has been dealt with) only the relation partners.
enum class Levels { kTry, kSkip };

// Protection with `extra_primaries` (cells of the one table) held to a primary's protection
// (suppress.cpp).
Result<Protection> protect_with(const Problem& problem, const std::vector<std::size_t>& extra_primaries, Levels levels);

// The whole-level route (level_route.cpp): when nearly every cell at the finest level of a
// hierarchical dimension (say, every municipality) is unsafe or empty, that level is
// suppressed whole, and so is each level above it in the same dimension that is as bare; the
// table without those levels is then protected. Returns the pattern of the one table, or
// nothing when no dimension qualifies.
std::optional<Result<std::vector<Status>>> protect_by_level(const Problem& problem);

// After the whole-level route (margins.cpp): publishes, one at a time, safe cells of the
// levels between the total and a finest level suppressed whole, each only if the audit still
// passes; returns how many. One table only; `status` is its pattern.
std::int64_t release_margins(const Problem& problem, std::vector<Status>& status);

}  // namespace rapporteur::sdc::internal
