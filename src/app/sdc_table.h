// The disclosure-control use case for a table from outside the store (`rapporteur sdc ...`):
// read a table of cells with hierarchy files, the JSON test-table format, or microdata with
// named dimensions; protect it (alone or together with the editions already published) and
// audit it; render the published pattern and the restricted audit. Reading names the file,
// row, field and reason of every bad input and never echoes a count of a suppressed cell.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "sdc/sdc.h"

namespace rapporteur::app {

enum class TableFormat {
  kCells,      // CSV: one column per dimension and a value column; margins optional.
  kJson,       // The format of shared/data/sdc/README.md (dimensions, cells with "true").
  kMicrodata,  // CSV: one row per unit; the named dimension columns are counted.
};

// A hierarchy for one dimension: a tau-ARGUS .hrc file (one code per line, one leading '@'
// per level below the top) or our TOML (`total = "T"` and a [children] table mapping each
// parent to its list of children).
struct HierarchyFile {
  std::string dimension;
  std::filesystem::path path;
};

struct TableSource {
  TableFormat format = TableFormat::kCells;
  std::filesystem::path path;
  std::vector<std::string> dimensions;     // Cells and microdata: the columns, in order.
  std::string value_column = "count";      // Cells only.
  std::vector<HierarchyFile> hierarchies;  // Dimensions without one are flat.
  std::string total_code = "Total";        // The root of a flat or .hrc dimension.
};

// A table read from outside, with the rule its JSON file states (if any).
struct OutsideTable {
  sdc::Table table;
  std::optional<sdc::Rule> rule;  // JSON only: its "protection" and "attacker".
  // JSON only: the status of each cell as the file gives it (an edition already published).
  std::optional<std::vector<sdc::Status>> status;
};

// Reads a table. Every cell not given is 0; margins are the sums of their leaves, and a
// margin given in the file must equal that sum. Fails with kIo when a file cannot be read and
// with kInvalidArgument naming file, row, field and reason (up to ten of them) for an unknown
// code, a missing column, a count that is not a whole non-negative number, a cell given twice
// or a margin that is not the sum of its parts; nothing is returned then.
Result<OutsideTable> read_table(const TableSource& source);

// Reads one hierarchy file (.hrc or .toml) as a dimension named `name`; `total_code` is the
// root of an .hrc file. Fails with kIo or kInvalidArgument (file, row, reason).
Result<sdc::Dimension> read_hierarchy(const std::string& name, const std::filesystem::path& path,
                                      const std::string& total_code);

// An earlier edition's cell whose value the new table changes (shared by codes).
struct Revision {
  std::size_t edition = 0;  // Index into SdcProtectRequest::editions.
  std::size_t cell = 0;     // Cell of that edition's table.
  std::string where;        // Its codes, e.g. "year=2023, region=Nr, sex=F".
  std::int64_t published_value = 0;
  std::int64_t new_value = 0;
  bool was_published = false;  // False: it was suppressed.
};

struct SdcProtectRequest {
  TableSource source;
  sdc::Rule rule;
  // Earlier editions already published (JSON with the status each cell was published with).
  // Their published cells are fixed: the new table is protected together with them, so that
  // no combination of editions narrows a suppressed cell.
  std::vector<std::filesystem::path> editions;
};

struct SdcProtectResult {
  sdc::Table table;
  std::vector<sdc::Status> status;  // The new table's pattern.
  sdc::Protection protection;
  sdc::Audit audit;  // Of the new table together with every edition.
  std::vector<sdc::Table> edition_tables;
  std::vector<Revision> revisions;
};

// Reads, protects and audits. Fails as read_table does, with kInvalidArgument for a bad rule
// or an edition whose dimensions do not match, with kConflict when the editions' published
// cells make protection impossible, and with kInternal when the audit does not pass.
Result<SdcProtectResult> protect_table(const SdcProtectRequest& request);

struct SdcReleaseRequest {
  TableSource source;
  sdc::PrivacyBudget budget;
  // Secret: whoever knows it and the mechanism can take the noise off. Never published.
  std::uint64_t seed = 0;
  int replicates = 200;  // Simulations for the accuracy per level.
};

struct SdcReleaseResult {
  sdc::Table table;  // The true table (restricted).
  sdc::PrivateRelease release;
};

// Reads the table and releases it with differential privacy (sdc::release_private). Fails as
// read_table and release_private do.
Result<SdcReleaseResult> release_table(const SdcReleaseRequest& request);
// The private release as JSON for publication: the mechanism and budget (metadata), the
// accuracy per level, and every cell's key and released value. No true value and no seed.
std::string to_release_json(const SdcReleaseResult& result);
// The released values as CSV: one column per dimension and "value".
std::string to_release_csv(const SdcReleaseResult& result);

// The published pattern as CSV: one column per dimension and "value", 'x' where suppressed.
std::string to_pattern_csv(const sdc::Table& table, const std::vector<sdc::Status>& status);
// The published pattern as JSON (the shared format without true values or statuses): the
// dimensions with their hierarchies, the rule, and each cell's key and published value (null
// where suppressed).
std::string to_pattern_json(const sdc::Table& table, const std::vector<sdc::Status>& status, const sdc::Rule& rule);
// The restricted record of this edition, to protect next year's against (`--edition`): the
// shared format with each cell's true value, published value and status.
std::string to_edition_json(const sdc::Table& table, const std::vector<sdc::Status>& status, const sdc::Rule& rule);
// The restricted audit as JSON: per suppressed cell its codes, status, value, interval and
// problem; group disclosures; revisions; totals.
std::string to_audit_json(const SdcProtectResult& result);
// A short summary for the terminal (no values of suppressed cells).
std::string to_summary(const SdcProtectResult& result);

}  // namespace rapporteur::app
