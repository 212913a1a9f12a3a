// The linked tables of a problem as one system of distinct cells and additive relations, for
// the suppression and the JJ export (the audit derives its own).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "sdc/sdc.h"

namespace rapporteur::sdc::internal {

struct Relation {
  std::size_t parent = 0;  // Distinct cell ids.
  std::vector<std::size_t> children;
};

struct System {
  std::vector<std::int64_t> values;                       // Per distinct cell.
  std::vector<std::vector<std::size_t>> cell_of;          // Per table, per cell: its distinct id.
  std::vector<std::pair<std::size_t, std::size_t>> home;  // Per distinct cell: its first (table, cell).
  std::vector<Relation> relations;                        // Without duplicates.
  std::vector<std::vector<std::size_t>> relations_of;     // Per distinct cell.
};

// A cell's identity across tables: the codes of its dimensions that are not at their root
// (a dimension's only code is not a total: it identifies), by dimension name. Two tables share
// exactly the cells whose identities agree.
std::string identity(const Table& table, const std::vector<int>& positions);

// Fails with kInvalidArgument when a table is not additive or linked tables disagree on a
// shared cell.
Result<System> build_system(const Problem& problem);

}  // namespace rapporteur::sdc::internal
