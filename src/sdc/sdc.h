// Statistical disclosure control of frequency tables: the minimum-frequency rule, secondary
// suppression over every hierarchy of one or more linked tables, an independent audit by
// linear programming, the cell-key method, and export in tau-ARGUS's JJ format. Pure
// computation on plain data; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/result.h"

namespace rapporteur::sdc {

// A hierarchical classification: codes[0] is the root (the total); every other code has a
// parent listed before it. A code without children is a leaf.
struct Dimension {
  std::string name;
  std::vector<std::string> codes;
  std::vector<std::string> labels;  // Parallel to codes; may be empty.
  std::vector<int> parents;         // Parallel to codes; -1 for the root.

  // The number of ancestors of each code (0 for the root).
  std::vector<int> depths() const;
};

// Builds a dimension from (code, parent code) pairs in any order where parents come first;
// the first pair is the root with an empty parent. Fails with kInvalidArgument on a
// duplicate code, an unknown parent, a second root, or a code equal to its parent.
Result<Dimension> make_dimension(std::string name, const std::vector<std::pair<std::string, std::string>>& code_parent,
                                 const std::vector<std::string>& labels = {});

// A table over every combination of its dimensions' codes (margins and totals included),
// stored row-major: the last dimension varies fastest. Values are counts of units.
struct Table {
  std::string name;
  std::vector<Dimension> dimensions;
  std::vector<std::int64_t> values;

  std::size_t cell_count() const;
  // Index of the cell with these code positions (one per dimension).
  std::size_t index(const std::vector<int>& positions) const;
  std::vector<int> positions(std::size_t index) const;
};

// Checks that every parent equals the sum of its children in every combination of the other
// dimensions and that no count is negative. Fails with kInvalidArgument naming the first
// offending cell, its value and the sum of its children.
Result<void> check_additive(const Table& table);

enum class Status { kSafe, kPrimary, kSecondary, kForced };
std::string_view to_code(Status status);
// Hidden from the published table: a primary or a secondary suppression.
inline bool is_suppressed(Status status) { return status == Status::kPrimary || status == Status::kSecondary; }

// How zero cells are treated: published as they are (the attacker then knows that every
// suppressed cell is at least 1); never primary but usable as secondary suppressions (the
// attacker then cannot rule out 0 for a suppressed cell, which frees sparse tables of
// singletons pinned at 1); or unsafe like small counts, because a zero in a group reveals
// that the whole group has another category (group disclosure).
enum class ZeroCells { kSafe, kSecondary, kUnsafe };

struct Rule {
  std::int64_t min_frequency = 10;  // Cells with 1 .. min_frequency - 1 units are unsafe.
  ZeroCells zeros = ZeroCells::kSafe;
  // Protection levels as tau-ARGUS sets them for the frequency rule: a primary cell's
  // interval must reach value -/+ max(percent % of the value, min_level), rounded up to whole
  // units. percent = 0 and min_level = 1 ask only that no cell be exactly recoverable.
  double protection_percent = 30;
  std::int64_t min_level = 1;
};

// A primary cell's protection level under `rule`: max(percent % of the value, min_level),
// rounded up to whole units.
std::int64_t protection_level(const Rule& rule, std::int64_t value);

// One or more tables protected together. Cells of different tables with the same codes on
// the dimensions they share, and the root on the dimensions only one of them has, are the
// same cell (a shared margin): they get the same status in every table.
struct Problem {
  std::vector<Table> tables;
  Rule rule;
  // Cells that must be published whatever their count, as (table index, cell index).
  std::vector<std::pair<std::size_t, std::size_t>> forced;
  // Cells suppressed from the start and never released (cells an earlier edition already
  // suppressed), as (table index, cell index).
  std::vector<std::pair<std::size_t, std::size_t>> kept_suppressed;
  // After a safe pattern is found, up to this many secondary cells (largest first) are tried
  // for release, each kept only if the audit still passes: fewer units lost, at one audit per
  // trial. Skipped when more than 300 cells are suppressed.
  int release_trials = 400;
  // kCareful protects every unsafe cell by linear programming from the start (fewest
  // suppressions); kFast first gives every relation with one suppressed cell a partner, which
  // scales to large tables at the price of more suppressions. kAuto is careful up to 2,000
  // distinct cells. For one table whose zeros may be suppressed, kFast first looks for a
  // dimension whose finest level is 75% or more unsafe or empty (municipalities in a sparse
  // table): that level is suppressed whole, and so is each level above it in the same
  // dimension while it is as bare; the table without them is protected (see
  // AuditOptions::reduce_levels).
  enum class Strategy { kAuto, kCareful, kFast } strategy = Strategy::kAuto;
  // Tables of up to 2,000 distinct cells: after the first safe pattern, each secondary cell in
  // turn is forced published and the table protected again; a pattern with fewer suppressions
  // (then fewer units) that passes the audit replaces the best, until a whole pass finds none
  // or this many protections have been tried.
  int improvement_trials = 60;
  // The descent also stops once its trials have solved this much work, counted as linear
  // programmes times the table's cells. Small tables make every trial (pp.tab: 2,500 work per
  // trial); the trimmed victims-region-form of a two-year demo (1,818 cells, 450 programmes a
  // trial) makes two per cost: 3.9 s in all instead of 89 s unbounded. Counted in work, not
  // seconds, so the same input gives the same pattern on every machine. With kBest each cost's
  // descent gets half.
  std::int64_t improvement_work = 2'000'000;
  // What the repair's programmes minimise: cells suppressed and units they hold (kUnits),
  // cells only (kCells), or both tried, each improved, and the pattern with fewer suppressions
  // (then fewer units) kept (kBest; tables of up to 2,000 distinct cells, else kUnits).
  enum class Cost { kUnits, kCells, kBest } cost = Cost::kBest;
  // After the whole-level route (one table): up to this many safe cells of the levels between
  // the total and the finest level suppressed whole (police-unit margins, say), the most
  // aggregated and largest first, are published where the audit still passes.
  int margin_trials = 40;
};

struct Protection {
  std::vector<std::vector<Status>> status;  // Per table, per cell.
  std::int64_t primary_cells = 0;           // Distinct cells (shared margins counted once).
  std::int64_t secondary_cells = 0;
  std::int64_t secondary_units = 0;   // Sum of the counts of the secondary cells.
  int repair_rounds = 0;              // Audit-and-repair rounds after the first pattern.
  std::int64_t released = 0;          // Secondary cells released again by the final pass.
  std::int64_t margins_released = 0;  // Of them, coarser margins above a level suppressed whole.
  std::int64_t linear_programmes = 0;
  int improvement_trials = 0;    // Protections the descent tried (both costs with kBest).
  bool improvement_cut = false;  // The descent stopped at improvement_work, not at its end.
};

// Applies the minimum-frequency rule, then suppresses further cells until the audit passes:
// first every relation (a parent and its children, in any combination of the other
// dimensions, in any table) with exactly one suppressed cell, or whose suppressed cells sum
// to fewer than min_frequency units, gets its cheapest other cell suppressed; then each cell
// the audit still finds under-protected gets the cheapest set of cells that lets an attacker
// move it by its protection level, found by linear programming (GLPK), until the audit
// passes; finally secondary cells are released one by one where the audit allows it. Small
// tables then descend to fewer suppressions (improvement_trials, cost); after the whole-level
// route, safe coarser margins are published where the audit passes (margin_trials).
// Deterministic: the same input gives the same pattern. Fails with kInvalidArgument
// when a table is not additive, two tables give a shared cell different values, or a forced
// cell is out of range; with kConflict when forced cells make protection
// impossible.
Result<Protection> protect(const Problem& problem);

// An edition of a table already published: its table (true values) and the status each cell
// was published with.
struct Edition {
  Table table;
  std::vector<Status> status;
};

// A cell of an earlier edition whose value the new tables give differently (shared by codes).
struct EditionRevision {
  std::size_t edition = 0;  // Index into the editions.
  std::size_t cell = 0;     // Cell of that edition's table.
  std::int64_t published_value = 0;
  std::int64_t new_value = 0;
  bool was_published = false;
};

struct EditionsProtection {
  // The joint problem: the editions' tables (with revised values as the new tables give
  // them), then the new tables; the statuses follow its tables.
  Problem problem;
  Protection protection;
  std::vector<EditionRevision> revisions;
};

// Protects the tables of `current` together with editions already published, as linked
// tables: cells with the same codes on the dimensions two tables share are one cell (a
// dimension with a single code, such as the year of a yearly edition, identifies its cells).
// The editions' published cells are forced to stay published and their suppressed cells stay
// suppressed, so no combination of the editions and the new tables narrows a suppressed cell
// beyond its protection. A shared cell whose value changed is a revision: it is reported and
// neither forced nor kept, and the edition takes the new value. Fails with kInvalidArgument
// when a status vector does not match its edition, or an edition is revised in part so that
// it is no longer additive (re-issue it whole); otherwise as protect().
Result<EditionsProtection> protect_over_editions(const std::vector<Edition>& published, const Problem& current);

// What the intruder knows besides the published cells and every additive relation.
struct Attacker {
  std::int64_t suppressed_min = 1;  // Lower bound of a suppressed cell (1 when zeros are published).
  bool integer = true;              // Counts are whole numbers: bounds are rounded inwards.
};

// The intruder a publication under `rule` faces: with zeros published, every suppressed cell
// holds at least 1; counts are whole numbers.
Attacker attacker_for(const Rule& rule);

struct AuditOptions {
  // Batched programmes that certify bounds before the exact ones; 0 solves two programmes per
  // suppressed cell, as tau-ARGUS's audit does (the benchmark's anchor).
  int batched_programmes = 4;
  // Screening: a bound the batches cannot certify counts as a failure without an exact
  // programme. A screening pass is a proof of safety; a screening failure may be a false
  // alarm. The suppression screens while it builds the pattern.
  bool screening = false;
  // Benchmarks only: exact programmes for every n-th suppressed cell (the result is then
  // not an audit), to time an unbatched audit of a large table on a sample.
  std::size_t sample_every = 1;
  // Level reduction (one table, suppressed cells may be 0): when every cell at the finest
  // level of a dimension (e.g. every municipality cell, or every cell of a flat dimension's
  // categories) is suppressed, the attacker learns
  // nothing from that level that the table without it does not give. The table without the
  // level is audited instead, and the intervals of the finest cells follow exactly from their
  // parents': a cell can take all of its parent (the sibling cells give theirs up) or, with a
  // sibling to take them, lose all of its units. Exact, and far smaller than one programme
  // over every suppressed cell of a large sparse table.
  bool reduce_levels = true;
  // Exact intervals for every suppressed cell (two programmes each), not only proof that the
  // requirements are met: reported intervals are otherwise the certified part.
  bool exact_intervals = false;
  // Benchmarks only: a programme that takes longer fails the audit (0: no limit).
  double programme_seconds = 0;
};

struct CellAudit {
  std::size_t table = 0;
  std::size_t cell = 0;
  Status status = Status::kSafe;
  std::int64_t value = 0;
  double low = 0;   // Feasibility interval the attacker can narrow the cell to.
  double high = 0;  // Infinity when unbounded.
  // The a-priori lower bound: suppressed_min times the cell's non-empty leaf cells. The lower
  // protection requirement is capped there.
  double floor = 0;
  std::string problem;  // Empty when the cell is protected.
};

// A sum of suppressed cells that the published cells and the relations give away and that
// lies in 1 .. min_frequency - 1: two or more suppressed children of one relation whose parent
// is published or exactly recoverable, either all of them or those not themselves exactly
// recoverable (their sum is then the parent minus the children known exactly).
struct GroupDisclosure {
  std::size_t table = 0;  // The relation's table (the first holding it) and parent cell.
  std::size_t parent = 0;
  std::vector<std::size_t> cells;  // The group's cells in that table, in cell order.
  std::int64_t sum = 0;
  std::string description;  // Names the relation, the group's size and its sum.
};

struct Audit {
  std::vector<CellAudit> cells;                    // Every suppressed cell (one entry per distinct cell).
  std::vector<GroupDisclosure> group_disclosures;  // One per distinct group.
  // Under-protected primary cells, exactly recoverable cells of any status whose value is
  // below the threshold (1 .. min_frequency - 1), and group disclosures.
  std::int64_t violations = 0;
  // Secondary cells recoverable exactly. A warning when the value is safe (0 or at least
  // min_frequency); otherwise also a violation.
  std::int64_t exact_secondaries = 0;
  std::int64_t batched_lps = 0;
  std::int64_t exact_lps = 0;

  bool passed() const { return violations == 0; }
};

// Computes, for every suppressed cell, the interval an attacker can narrow it to from the
// published cells of all tables and every relation of every hierarchy (GLPK): first a few
// batched programmes whose solutions certify most bounds at once, then one programme per
// bound still uncertified. A primary cell fails when its interval does not reach its
// protection levels or is a single value; any suppressed cell fails when it is exactly
// recoverable with 1 .. min_frequency - 1 units; a group disclosure (see GroupDisclosure) fails
// too. Whether a secondary cell is exactly recoverable is settled by programmes in screening
// audits as well (group disclosures depend on it). Shares no code with protect(): it derives the
// relations and the shared cells itself. Fails with kInvalidArgument when the status vectors
// do not match the tables.
Result<Audit> audit(const Problem& problem, const std::vector<std::vector<Status>>& status, const Attacker& attacker,
                    const AuditOptions& options = {});

// Cell-key perturbation (the method of the Australian Bureau of Statistics, as in sdcTools'
// cellKey): every record has a key uniform in [0, 1); a cell's key is the fractional part of
// the sum of its records' keys; the perturbation table maps (count, cell key) to a change.
// The same records give the same cell key and so the same change in every table.
struct PerturbationTable {
  int max_deviation = 2;  // D: no count moves by more.
  double variance = 1.0;  // V of the change for counts above D.
  double stay = 0.5;      // Probability that a count above D is left alone.
};

// The record key of a pseudonymous person key (hex): its first 52 bits as a fraction.
double record_key(std::string_view person_key);
// The fractional part of a sum of record keys.
double cell_key(const std::vector<double>& record_keys);
// The perturbed count: zeros stay zero, results are never negative, the change has mean zero
// for every count and never exceeds max_deviation. Fails with kInvalidArgument for a
// negative count, a key outside [0, 1) or a table whose variance its deviation cannot give.
Result<std::int64_t> perturb(std::int64_t count, double key, const PerturbationTable& table);

// Differentially private release: noise on every leaf cell (the finest code of every
// dimension; one person counts in one leaf), clamped at zero, and every margin the sum of its
// leaves, so the table is integer, non-negative and exactly additive.
enum class Mechanism { kGeometric, kDiscreteGaussian };
std::string_view to_code(Mechanism mechanism);

struct PrivacyBudget {
  Mechanism mechanism = Mechanism::kGeometric;
  double epsilon = 1.0;  // Geometric: the release is epsilon-DP.
  double rho = 0.5;      // Discrete Gaussian: rho-zCDP (noise variance 1 / (2 rho)).
};

// The accuracy of the cells of one level: `level` holds each dimension's depth.
struct LevelAccuracy {
  std::vector<int> level;
  std::int64_t cells = 0;
  std::int64_t leaves_per_cell = 0;  // Leaves summed into one cell (rounded mean).
  double rmse = 0;                   // Root mean squared error, by simulation.
  double mean_absolute_error = 0;
  double bias = 0;  // Mean error: clamping at zero adds units where counts are small.
};

struct PrivateRelease {
  PrivacyBudget budget;
  std::vector<std::int64_t> values;  // Per cell of the table.
  double leaf_noise_variance = 0;    // Before clamping.
  // Per level, estimated by running the mechanism again on the released table (post-
  // processing: it spends no budget), so it includes the clamping's bias.
  std::vector<LevelAccuracy> accuracy;
};

// Releases `table` under `budget` with a generator seeded by `seed` (the same seed gives the
// same release); `replicates` simulations estimate the accuracy. Fails with kInvalidArgument
// for a table that is not additive or has a negative count, a budget that is not positive, or
// fewer than one replicate.
Result<PrivateRelease> release_private(const Table& table, const PrivacyBudget& budget, std::uint64_t seed,
                                       int replicates = 200);

// Two-sided geometric noise: P(k) = (1 - a) / (1 + a) a^|k| with a = exp(-epsilon).
std::int64_t sample_two_sided_geometric(double epsilon, std::mt19937_64& rng);
// Discrete Gaussian noise: P(k) proportional to exp(-k^2 / (2 sigma2)).
std::int64_t sample_discrete_gaussian(double sigma2, std::mt19937_64& rng);

// The tables and their relations in tau-ARGUS's JJ format: "0", the number of cells, one line
// per cell (index, value, cost, status s/u/m/z, lower and upper bound, LPL, UPL, SPL), the
// number of relations, one line per relation ("0 n : index (-1) index (1) ..."). Shared cells
// appear once.
std::string to_jj(const Problem& problem, const std::vector<std::vector<Status>>& status);

}  // namespace rapporteur::sdc
