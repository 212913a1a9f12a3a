// A hierarchical dimension without its finest level, for the level route of the suppression
// and the level reduction of the audit.
#pragma once

#include <optional>
#include <vector>

#include "sdc/sdc.h"

namespace rapporteur::sdc::internal {

struct CoarserDimension {
  Dimension dimension;        // The codes above depth `deepest`, with their labels and parents.
  std::vector<int> position;  // Original code -> its position in `dimension`, -1 when dropped.
  std::vector<int> original;  // Position in `dimension` -> the original code.
};

// `depth` is dim.depths(); `deepest` the level to drop.
CoarserDimension without_level(const Dimension& dim, const std::vector<int>& depth, int deepest);

// The audit's side of the whole-level route (level_route.cpp): a table without the finest
// level of one dimension, every cell of which is suppressed.
struct Reduction {
  Problem problem;                // One table: the original without the level.
  std::vector<Status> status;     // Per cell of the reduced table.
  std::vector<std::size_t> full;  // Reduced cell -> cell of the original table.
  // Per original cell at the finest level: its parent's cell in the reduced table, and
  // whether it has a sibling at that level.
  std::vector<std::size_t> parent_cell;
  std::vector<char> has_sibling;
  std::vector<char> finest;  // Per original cell: at the finest level of the dimension.
};

// When one dimension's finest level is suppressed whole in the one table of `problem`, the
// table without that level, on which the audit's check is exact; nothing otherwise.
std::optional<Reduction> reduce_by_level(const Problem& problem, const std::vector<Status>& status, const Rule& rule);

}  // namespace rapporteur::sdc::internal
