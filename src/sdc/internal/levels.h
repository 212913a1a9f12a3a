// A hierarchical dimension without its finest level, for the level route of the suppression
// and the level reduction of the audit.
#pragma once

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

}  // namespace rapporteur::sdc::internal
