// Primary and secondary suppression. The pattern grows in up to two stages: for large tables
// either whole bare levels of one dimension (large sparse tables; the rest is protected as a
// smaller table) or a relation-by-relation heuristic (every relation with one suppressed
// cell, or with suppressed cells summing to fewer than the threshold, gets a partner); then, for each cell
// the independent audit finds under-protected, the cheapest deviation an attacker could use,
// found by linear programming as in Fischetti and Salazar's (2000) attacker subproblem, whose
// moving cells are suppressed; finally a release pass.
#include <glpk.h>

#include <algorithm>
#include <cassert>
#include <cmath>
#include <mutex>

#include <fmt/format.h>

#include "sdc/internal/glpk.h"
#include "sdc/internal/levels.h"
#include "sdc/internal/protect.h"
#include "sdc/internal/system.h"
#include "sdc/sdc.h"

namespace rapporteur::sdc {
namespace {

constexpr int kMaxRounds = 60;
constexpr std::int64_t kMaxSuppressedForRelease = 300;

struct State {
  const internal::System& system;
  const Rule& rule;
  std::vector<Status> status;  // Per distinct cell.
  Problem::Cost cost = Problem::Cost::kUnits;

  bool hidden(std::size_t c) const { return status[c] == Status::kPrimary || status[c] == Status::kSecondary; }
  bool eligible(std::size_t c) const {
    if (status[c] != Status::kSafe) return false;
    return system.values[c] > 0 || rule.zeros != ZeroCells::kSafe;
  }
};

// Stage 1. Returns the cells added.
std::int64_t partner_relations(State& s) {
  std::int64_t added = 0;
  std::vector<char> queued(s.system.relations.size(), 1);
  std::vector<std::size_t> queue(s.system.relations.size());
  for (std::size_t r = 0; r < queue.size(); ++r) queue[r] = r;
  // Processed in id order, rounds until stable: deterministic.
  while (!queue.empty()) {
    std::sort(queue.begin(), queue.end());
    std::vector<std::size_t> next;
    for (const std::size_t r : queue) {
      queued[r] = 0;
      const auto& rel = s.system.relations[r];
      int count = 0;
      std::int64_t children_hidden = 0;
      bool parent_hidden = s.hidden(rel.parent);
      std::int64_t need = 0;  // Largest protection level among the suppressed primaries.
      std::int64_t hidden_sum = 0;
      const auto visit = [&](std::size_t c) {
        if (!s.hidden(c)) return;
        ++count;
        hidden_sum += s.system.values[c];
        if (s.status[c] == Status::kPrimary) need = std::max(need, protection_level(s.rule, s.system.values[c]));
      };
      visit(rel.parent);
      for (const auto c : rel.children) {
        visit(c);
        children_hidden += s.hidden(c) ? 1 : 0;
      }
      const bool single = count == 1;
      const bool small_group = !parent_hidden && children_hidden >= 2 && hidden_sum < s.rule.min_frequency;
      if (!single && !small_group) continue;
      // The cheapest partner that can absorb the protection level; else the largest one.
      std::optional<std::size_t> best;
      const auto better = [&](std::size_t a, std::size_t b) {
        const bool a_enough = s.system.values[a] >= need;
        const bool b_enough = s.system.values[b] >= need;
        if (a_enough != b_enough) return a_enough;
        if (a_enough) return s.system.values[a] != s.system.values[b] ? s.system.values[a] < s.system.values[b] : a < b;
        return s.system.values[a] != s.system.values[b] ? s.system.values[a] > s.system.values[b] : a < b;
      };
      for (const auto c : rel.children) {
        if (s.eligible(c) && (!best || better(c, *best))) best = c;
      }
      if (!best && s.eligible(rel.parent)) best = rel.parent;
      if (!best) continue;  // Nothing left to suppress here; the audit will judge.
      s.status[*best] = Status::kSecondary;
      ++added;
      for (const auto other : s.system.relations_of[*best]) {
        if (!queued[other]) {
          queued[other] = 1;
          next.push_back(other);
        }
      }
      if (!queued[r]) {
        queued[r] = 1;
        next.push_back(r);
      }
    }
    queue = std::move(next);
  }
  return added;
}

// Stage 2: the attacker subproblem. Variables y+ and y- per cell; every relation holds for
// y = y+ - y-; a cell can fall at most to its lower bound; forced cells and cells that may not
// be suppressed stay put. Moving a published cell costs 1 + its value, a suppressed one
// nothing. The programme is first posed on the cells within a few relations of the cell to
// protect, all others held fixed (any solution is then valid for the whole table), and
// widened only when that neighbourhood admits no deviation.
class Repair {
 public:
  Repair(State& s, std::int64_t suppressed_min) : s_(s), lower_(suppressed_min) {}

  // Makes room for cell c to move up (direction +1) or down (-1) by `amount`; returns the
  // cells to suppress, or nothing when no deviation exists.
  std::optional<std::vector<std::size_t>> partners(std::size_t c, int direction, double amount) {
    const std::size_t all = s_.system.values.size();
    for (int depth = 2;; depth *= 2) {
      const auto cells = neighbourhood(c, depth);
      auto found = solve(c, direction, amount, cells);
      if (found || cells.size() == all) return found;
      if (depth > 64) return solve(c, direction, amount, neighbourhood(c, 1 << 30));
    }
  }

  std::int64_t programmes = 0;

 private:
  // Cells within `depth` relations of c, in id order.
  std::vector<std::size_t> neighbourhood(std::size_t c, int depth) const {
    std::vector<int> distance(s_.system.values.size(), -1);
    std::vector<std::size_t> frontier{c};
    distance[c] = 0;
    std::vector<std::size_t> cells{c};
    for (int d = 1; d <= depth && !frontier.empty(); ++d) {
      std::vector<std::size_t> next;
      for (const auto x : frontier) {
        for (const auto r : s_.system.relations_of[x]) {
          const auto& rel = s_.system.relations[r];
          const auto visit = [&](std::size_t y) {
            if (distance[y] >= 0) return;
            distance[y] = d;
            next.push_back(y);
            cells.push_back(y);
          };
          visit(rel.parent);
          for (const auto y : rel.children) visit(y);
        }
      }
      frontier = std::move(next);
    }
    std::sort(cells.begin(), cells.end());
    return cells;
  }

  std::optional<std::vector<std::size_t>> solve(std::size_t c, int direction, double amount,
                                                const std::vector<std::size_t>& cells) {
    glp_prob* lp = glp_create_prob();
    glp_smcp parameters;
    glp_init_smcp(&parameters);
    parameters.msg_lev = GLP_MSG_OFF;
    parameters.presolve = GLP_ON;  // A fresh programme each time: presolving pays.
    glp_set_obj_dir(lp, GLP_MIN);
    std::vector<int> column(s_.system.values.size(), 0);
    const auto n = static_cast<int>(cells.size());
    glp_add_cols(lp, 2 * n);
    std::vector<std::size_t> rows;
    for (int j = 0; j < n; ++j) {
      const std::size_t x = cells[static_cast<std::size_t>(j)];
      column[x] = j + 1;
      const int up = 2 * j + 1;
      const int down = up + 1;
      const bool movable = s_.hidden(x) || s_.eligible(x);
      const double room = std::max(0.0, static_cast<double>(s_.system.values[x] - lower_));
      if (x == c) {
        glp_set_col_bnds(lp, up, GLP_FX, direction > 0 ? amount : 0.0, direction > 0 ? amount : 0.0);
        glp_set_col_bnds(lp, down, GLP_FX, direction < 0 ? amount : 0.0, direction < 0 ? amount : 0.0);
      } else if (!movable) {
        glp_set_col_bnds(lp, up, GLP_FX, 0.0, 0.0);
        glp_set_col_bnds(lp, down, GLP_FX, 0.0, 0.0);
      } else {
        glp_set_col_bnds(lp, up, GLP_LO, 0.0, 0.0);
        if (room > 0)
          glp_set_col_bnds(lp, down, GLP_DB, 0.0, room);
        else
          glp_set_col_bnds(lp, down, GLP_FX, 0.0, 0.0);
      }
      // Per cell suppressed, and (minimising units) per unit it holds.
      const double per_unit = s_.cost == Problem::Cost::kCells ? 0.0 : 1.0;
      const double cost = s_.hidden(x) ? 0.0 : 1.0 + per_unit * static_cast<double>(s_.system.values[x]);
      glp_set_obj_coef(lp, up, cost);
      glp_set_obj_coef(lp, down, cost);
      for (const auto r : s_.system.relations_of[x]) rows.push_back(r);
    }
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());
    std::vector<int> ia{0}, ja{0};
    std::vector<double> ar{0.0};
    glp_add_rows(lp, static_cast<int>(rows.size()));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const int row = static_cast<int>(i + 1);
      glp_set_row_bnds(lp, row, GLP_FX, 0.0, 0.0);
      const auto add = [&](std::size_t x, double sign) {
        if (!column[x]) return;  // Outside the neighbourhood: held fixed.
        ia.push_back(row);
        ja.push_back(2 * column[x] - 1);
        ar.push_back(sign);
        ia.push_back(row);
        ja.push_back(2 * column[x]);
        ar.push_back(-sign);
      };
      const auto& rel = s_.system.relations[rows[i]];
      add(rel.parent, 1.0);
      for (const auto x : rel.children) add(x, -1.0);
    }
    glp_load_matrix(lp, static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
    const int rc = glp_simplex(lp, &parameters);
    ++programmes;
    std::optional<std::vector<std::size_t>> result;
    if (rc == 0 && glp_get_status(lp) == GLP_OPT) {
      result.emplace();
      for (int j = 0; j < n; ++j) {
        const double y = glp_get_col_prim(lp, 2 * j + 1) + glp_get_col_prim(lp, 2 * j + 2);
        const std::size_t x = cells[static_cast<std::size_t>(j)];
        if (y > 1e-7 && !s_.hidden(x)) result->push_back(x);
      }
    }
    glp_delete_prob(lp);
    return result;
  }

  State& s_;
  std::int64_t lower_;
};

}  // namespace

namespace internal {

// Protection with `extra_primaries` (cells of the one table) held to a primary's protection.
Result<Protection> protect_with(const Problem& problem, const std::vector<std::size_t>& extra_primaries,
                                Levels levels) {
  if (problem.rule.min_frequency < 1) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("minimum frequency {} must be at least 1", problem.rule.min_frequency));
  }
  if (!(problem.rule.protection_percent >= 0 && problem.rule.protection_percent <= 100) || problem.rule.min_level < 0) {
    return fail(ErrorCode::kInvalidArgument,
                "protection percent must lie in 0..100 and the minimum level be non-negative");
  }
  ASSIGN_OR_RETURN(const internal::System system, internal::build_system(problem));
  State s{system, problem.rule, std::vector<Status>(system.values.size(), Status::kSafe), problem.cost};
  for (const auto& [t, cell] : problem.forced) {
    if (t >= problem.tables.size() || cell >= problem.tables[t].values.size()) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("forced cell ({}, {}) is not in the tables", t, cell));
    }
    s.status[system.cell_of[t][cell]] = Status::kForced;
  }
  Protection result;
  for (std::size_t c = 0; c < system.values.size(); ++c) {
    const std::int64_t v = system.values[c];
    const bool unsafe = is_unsafe(problem.rule, v);
    if (unsafe && s.status[c] == Status::kForced) {
      return fail(
          ErrorCode::kConflict,
          fmt::format("cell {} of table {} is forced to be published but has {} units, below the threshold {}",
                      system.home[c].second, problem.tables[system.home[c].first].name, v, problem.rule.min_frequency));
    }
    if (unsafe) {
      s.status[c] = Status::kPrimary;
      ++result.primary_cells;
    }
  }
  // Cells an earlier edition suppressed: suppressed from the start, never released.
  std::vector<char> kept(system.values.size(), 0);
  for (const auto& [t, cell] : problem.kept_suppressed) {
    if (t >= problem.tables.size() || cell >= problem.tables[t].values.size()) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("kept cell ({}, {}) is not in the tables", t, cell));
    }
    const std::size_t c = system.cell_of[t][cell];
    if (s.status[c] == Status::kForced) {
      return fail(ErrorCode::kConflict,
                  fmt::format("cell {} of table {} is both forced and kept suppressed", cell, problem.tables[t].name));
    }
    kept[c] = 1;
    if (s.status[c] == Status::kSafe) s.status[c] = Status::kSecondary;
  }
  // Cells held to a primary's protection on behalf of a finer level (one table).
  for (const std::size_t cell : extra_primaries) {
    const std::size_t c = system.cell_of.front()[cell];
    if (s.status[c] == Status::kSafe) s.status[c] = Status::kPrimary;
  }
  const bool fast = problem.strategy == Problem::Strategy::kFast ||
                    (problem.strategy == Problem::Strategy::kAuto && system.values.size() > 2000);
  std::optional<Result<std::vector<Status>>> by_level;
  if (fast && levels == Levels::kTry && problem.tables.size() == 1 && problem.forced.empty() &&
      problem.kept_suppressed.empty() && problem.rule.zeros != ZeroCells::kSafe) {
    by_level = protect_by_level(problem);
  }
  if (by_level) {
    if (!*by_level) return tl::unexpected(by_level->error());
    for (std::size_t c = 0; c < system.values.size(); ++c) s.status[c] = (**by_level)[system.home[c].second];
  } else if (fast) {
    partner_relations(s);
  }
  const Attacker attacker = attacker_for(problem.rule);
  const auto to_tables = [&] {
    std::vector<std::vector<Status>> status(problem.tables.size());
    for (std::size_t t = 0; t < problem.tables.size(); ++t) {
      status[t].resize(problem.tables[t].values.size());
      for (std::size_t i = 0; i < status[t].size(); ++i) status[t][i] = s.status[system.cell_of[t][i]];
    }
    return status;
  };
  bool screening = true;
  for (;;) {
    // Screening audits while the pattern grows (a screening pass is a proof); an exact one
    // when a screening round could add nothing (its failures may be false alarms).
    ASSIGN_OR_RETURN(const Audit checked, audit(problem, to_tables(), attacker, {.screening = screening}));
    result.linear_programmes += checked.batched_lps + checked.exact_lps;
    if (checked.passed()) break;
    if (++result.repair_rounds > kMaxRounds) {
      return fail(ErrorCode::kInternal, fmt::format("no safe pattern after {} repair rounds", kMaxRounds));
    }
    // Every repair programme is created and deleted within the round: the audit frees GLPK's
    // environment, so no GLPK problem may outlive a round.
    const std::lock_guard lock(internal::glpk_mutex());
    Repair repair(s, attacker.suppressed_min);
    bool changed = false;
    // A cell next to one that just got partners is left to the next audit: the new
    // suppressions often protect it too, and an audit costs less than many programmes.
    std::vector<char> touched(system.values.size(), 0);
    for (const auto& cell : checked.cells) {
      if (cell.problem.empty()) continue;
      const std::size_t c = system.cell_of[cell.table][cell.cell];
      if (touched[c]) {
        changed = true;
        continue;
      }
      // A secondary cell fails only when it is exactly recoverable with an unsafe value: any
      // movement protects it.
      const auto level =
          cell.status == Status::kPrimary ? static_cast<double>(protection_level(problem.rule, cell.value)) : 1.0;
      // Downwards only as far as the attacker's a-priori floor allows (the audit caps the
      // requirement there): the cell's lower bound as the audit reports it without relations.
      const double room_down = std::min(
          level, static_cast<double>(cell.value) - std::max(cell.floor, static_cast<double>(attacker.suppressed_min)));
      for (const int direction : {+1, -1}) {
        const double amount = direction > 0 ? level : room_down;
        if (amount <= 0) continue;
        // Only the side the audit found short (an exact cell is short on both).
        if (direction > 0 && cell.high >= static_cast<double>(cell.value) + amount && cell.high > cell.low) continue;
        if (direction < 0 && cell.low <= static_cast<double>(cell.value) - amount && cell.high > cell.low) continue;
        const auto partners = repair.partners(c, direction, amount);
        if (!partners) {
          return fail(ErrorCode::kConflict,
                      fmt::format("cell {} of table {} cannot be protected: forced or zero cells pin it down",
                                  cell.cell, problem.tables[cell.table].name));
        }
        for (const auto k : *partners) {
          s.status[k] = Status::kSecondary;
          changed = true;
          for (const auto r : system.relations_of[k]) {
            touched[system.relations[r].parent] = 1;
            for (const auto x : system.relations[r].children) touched[x] = 1;
          }
        }
      }
    }
    // A group disclosure: the relation gets a further child suppressed, the cheapest that
    // lifts the group's sum to the threshold (else the largest), or its parent when no child
    // is left. When the new cell is itself recoverable, the next audit finds the group again.
    for (const auto& group : checked.group_disclosures) {
      const std::size_t parent = system.cell_of[group.table][group.parent];
      std::vector<std::size_t> members;
      for (const auto cell : group.cells) members.push_back(system.cell_of[group.table][cell]);
      const bool near_repair =
          touched[parent] || std::any_of(members.begin(), members.end(), [&](std::size_t c) { return touched[c]; });
      if (near_repair) {
        changed = true;  // Left to the next audit, like a cell next to new partners.
        continue;
      }
      const internal::Relation* relation = nullptr;
      for (const auto r : system.relations_of[parent]) {
        const auto& candidate = system.relations[r];
        if (candidate.parent != parent) continue;
        const bool holds_all = std::all_of(members.begin(), members.end(), [&](std::size_t c) {
          return std::find(candidate.children.begin(), candidate.children.end(), c) != candidate.children.end();
        });
        if (holds_all) {
          relation = &candidate;
          break;
        }
      }
      assert(relation && "the audit's relation exists in the suppression's system");
      const std::int64_t missing = problem.rule.min_frequency - group.sum;
      std::optional<std::size_t> best;
      const auto better = [&](std::size_t a, std::size_t b) {
        const bool a_enough = system.values[a] >= missing;
        const bool b_enough = system.values[b] >= missing;
        if (a_enough != b_enough) return a_enough;
        if (system.values[a] != system.values[b])
          return a_enough ? system.values[a] < system.values[b] : system.values[a] > system.values[b];
        return a < b;
      };
      for (const auto c : relation->children) {
        if (s.eligible(c) && (!best || better(c, *best))) best = c;
      }
      if (!best && s.eligible(parent)) best = parent;
      if (!best) continue;  // Nothing left to suppress here; the exact audit will say so.
      s.status[*best] = Status::kSecondary;
      changed = true;
      touched[relation->parent] = 1;
      for (const auto x : relation->children) touched[x] = 1;
    }
    result.linear_programmes += repair.programmes;
    glp_free_env();
    // Group disclosures: the stage-1 rule covers them; run it again on the grown pattern.
    if (partner_relations(s) > 0) changed = true;
    if (!changed && screening) {
      screening = false;
      continue;
    }
    screening = true;
    if (!changed) {
      return fail(ErrorCode::kInternal,
                  "the audit fails but no cell can be added: " + (checked.group_disclosures.empty()
                                                                      ? std::string("under-protected cells")
                                                                      : checked.group_disclosures.front().description));
    }
  }
  // Release pass: largest secondaries first (ties by id), each kept published only if the
  // audit still passes.
  std::vector<std::size_t> secondaries;
  for (std::size_t c = 0; c < system.values.size(); ++c) {
    if (s.status[c] == Status::kSecondary && !kept[c]) secondaries.push_back(c);
  }
  std::stable_sort(secondaries.begin(), secondaries.end(),
                   [&](std::size_t a, std::size_t b) { return system.values[a] > system.values[b]; });
  // Each trial is a full audit: on large patterns the pass would cost more than it saves.
  std::int64_t suppressed_now = result.primary_cells + static_cast<std::int64_t>(secondaries.size());
  if (suppressed_now > kMaxSuppressedForRelease) secondaries.clear();
  if (secondaries.size() > static_cast<std::size_t>(std::max(0, problem.release_trials))) {
    secondaries.resize(static_cast<std::size_t>(std::max(0, problem.release_trials)));
  }
  for (const std::size_t c : secondaries) {
    s.status[c] = Status::kSafe;
    // A screening pass proves safety; a screening failure keeps the cell suppressed.
    ASSIGN_OR_RETURN(const Audit trial, audit(problem, to_tables(), attacker, {.screening = true}));
    result.linear_programmes += trial.batched_lps + trial.exact_lps;
    if (trial.passed())
      ++result.released;
    else
      s.status[c] = Status::kSecondary;
  }
  for (std::size_t c = 0; c < system.values.size(); ++c) {
    if (s.status[c] == Status::kSecondary) {
      ++result.secondary_cells;
      result.secondary_units += system.values[c];
    }
  }
  result.status = to_tables();
  return result;
}

Result<Protection> protect_once(const Problem& problem) { return protect_with(problem, {}, Levels::kTry); }

}  // namespace internal

}  // namespace rapporteur::sdc
