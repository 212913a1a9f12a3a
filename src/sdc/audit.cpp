// The audit: feasibility intervals of the suppressed cells by linear programming. Written
// apart from the suppression on purpose: it enumerates the relations and the shared cells
// of the tables itself, so that a mistake in one does not hide in the other.
#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <optional>

#include <fmt/format.h>

#include "sdc/internal/glpk.h"
#include "sdc/internal/levels.h"
#include "sdc/sdc.h"

namespace rapporteur::sdc {
namespace {

struct Link {
  std::size_t table;
  std::size_t cell;
};

// A relation over distinct cells: sum of coefficient times cell = 0.
struct Equation {
  std::vector<std::pair<std::size_t, int>> terms;  // (distinct cell, +1 parent / -1 child); parent last
  std::string where;
  std::size_t table = 0;           // Where the relation was found,
  std::vector<std::size_t> local;  // and its cells there, parallel to terms.
};

std::string cell_name(const Table& t, std::size_t cell) {
  std::string name = t.name + "(";
  std::size_t rest = cell;
  std::vector<std::size_t> at(t.dimensions.size());
  for (std::size_t d = t.dimensions.size(); d-- > 0;) {
    at[d] = rest % t.dimensions[d].codes.size();
    rest /= t.dimensions[d].codes.size();
  }
  for (std::size_t d = 0; d < at.size(); ++d) name += (d ? "," : "") + t.dimensions[d].codes[at[d]];
  return name + ")";
}

// A small wrapper owning a GLPK problem; GLPK's environment is per thread and freed at the end.
class Lp {
 public:
  explicit Lp(double seconds) : lp_(glp_create_prob()) {
    glp_init_smcp(&parameters_);
    parameters_.msg_lev = GLP_MSG_OFF;
    if (seconds > 0) parameters_.tm_lim = static_cast<int>(std::min(seconds * 1000.0, 2e9));
  }
  ~Lp() {
    glp_delete_prob(lp_);
    glp_free_env();
  }
  Lp(const Lp&) = delete;
  Lp& operator=(const Lp&) = delete;
  glp_prob* get() { return lp_; }
  enum class Outcome { kOptimal, kUnbounded, kFailed, kTimeLimit };
  // Solves with the current objective from the last basis; after a failure (a warm start can
  // end in a singular or wrongly infeasible basis) once more from the standard basis.
  Outcome solve() {
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (attempt == 1) glp_std_basis(lp_);
      // The first solve starts from nothing: GLPK's presolver shrinks the programme first
      // (much faster on large tables); later solves start from the last optimal basis.
      parameters_.presolve = solved_once_ ? GLP_OFF : GLP_ON;
      const int rc = glp_simplex(lp_, &parameters_);
      solved_once_ = solved_once_ || (rc == 0 && glp_get_status(lp_) == GLP_OPT);
      if (rc == 0 && glp_get_status(lp_) == GLP_OPT) return Outcome::kOptimal;
      if (rc == 0 && glp_get_status(lp_) == GLP_UNBND) return Outcome::kUnbounded;
      if (rc == GLP_ETMLIM) return Outcome::kTimeLimit;
    }
    return Outcome::kFailed;
  }

 private:
  glp_prob* lp_;
  glp_smcp parameters_{};
  bool solved_once_ = false;
};

}  // namespace

Result<Audit> audit(const Problem& problem, const std::vector<std::vector<Status>>& status, const Attacker& attacker,
                    const AuditOptions& options) {
  if (status.size() != problem.tables.size()) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{} status tables for {} tables", status.size(), problem.tables.size()));
  }
  // Distinct cells: identified by their non-total codes, named by dimension.
  std::map<std::vector<std::pair<std::string, std::string>>, std::size_t> distinct;
  std::vector<Link> first;
  std::vector<std::int64_t> value;
  std::vector<Status> state;
  std::vector<std::vector<std::size_t>> id(problem.tables.size());
  for (std::size_t t = 0; t < problem.tables.size(); ++t) {
    const Table& table = problem.tables[t];
    if (status[t].size() != table.values.size() || table.values.size() != table.cell_count()) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("table {}: status or values do not match its cells", table.name));
    }
    id[t].resize(table.values.size());
    for (std::size_t i = 0; i < table.values.size(); ++i) {
      std::vector<std::pair<std::string, std::string>> key;
      std::size_t rest = i;
      for (std::size_t d = table.dimensions.size(); d-- > 0;) {
        const std::size_t at = rest % table.dimensions[d].codes.size();
        rest /= table.dimensions[d].codes.size();
        if (at != 0 || problem.tables.size() == 1 || table.dimensions[d].codes.size() == 1)
          key.emplace_back(table.dimensions[d].name, table.dimensions[d].codes[at]);
      }
      std::sort(key.begin(), key.end());
      const auto [it, inserted] = distinct.emplace(std::move(key), value.size());
      if (inserted) {
        first.push_back({t, i});
        value.push_back(table.values[i]);
        state.push_back(status[t][i]);
      } else if (state[it->second] != status[t][i]) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("a shared cell, {}, has different statuses in two tables", cell_name(table, i)));
      }
      id[t][i] = it->second;
    }
  }
  const auto suppressed = [&](std::size_t c) { return state[c] == Status::kPrimary || state[c] == Status::kSecondary; };
  // What the attacker knows before any relation: each non-empty leaf cell (leaf in every
  // dimension) holds at least suppressed_min units, so a cell holds at least that many times
  // its non-empty leaves. A cell's protection is capped there (Handbook on SDC: requirements
  // are capped at the a-priori bounds).
  std::vector<std::int64_t> floor_of(value.size(), 0);
  for (std::size_t t = 0; t < problem.tables.size(); ++t) {
    const Table& table = problem.tables[t];
    std::vector<std::int64_t> leaves(table.values.size(), 0);
    for (std::size_t i = 0; i < table.values.size(); ++i) {
      std::size_t rest = i;
      bool leaf = true;
      std::vector<std::size_t> at(table.dimensions.size());
      for (std::size_t d = table.dimensions.size(); d-- > 0;) {
        at[d] = rest % table.dimensions[d].codes.size();
        rest /= table.dimensions[d].codes.size();
        const auto& parents = table.dimensions[d].parents;
        leaf = leaf && std::find(parents.begin(), parents.end(), static_cast<int>(at[d])) == parents.end();
      }
      if (!leaf || table.values[i] == 0) continue;
      // Every ancestor combination of this leaf holds it.
      std::vector<std::vector<std::size_t>> chains(at.size());
      for (std::size_t d = 0; d < at.size(); ++d) {
        for (int c = static_cast<int>(at[d]); c >= 0; c = table.dimensions[d].parents[static_cast<std::size_t>(c)]) {
          chains[d].push_back(static_cast<std::size_t>(c));
        }
      }
      std::vector<std::size_t> pick(at.size(), 0);
      for (;;) {
        std::size_t index = 0;
        for (std::size_t d = 0; d < at.size(); ++d)
          index = index * table.dimensions[d].codes.size() + chains[d][pick[d]];
        ++leaves[index];
        std::size_t d = at.size();
        while (d > 0 && ++pick[d - 1] == chains[d - 1].size()) pick[--d] = 0;
        if (d == 0) break;
      }
    }
    for (std::size_t i = 0; i < table.values.size(); ++i) {
      floor_of[id[t][i]] = std::max(floor_of[id[t][i]], leaves[i] * attacker.suppressed_min);
    }
  }

  // Relations: for each cell and dimension whose code has children.
  std::vector<Equation> equations;
  std::map<std::vector<std::pair<std::size_t, int>>, bool> known;
  for (std::size_t t = 0; t < problem.tables.size(); ++t) {
    const Table& table = problem.tables[t];
    std::vector<std::size_t> stride(table.dimensions.size(), 1);
    for (std::size_t d = table.dimensions.size() - 1; d-- > 0;)
      stride[d] = stride[d + 1] * table.dimensions[d + 1].codes.size();
    for (std::size_t i = 0; i < table.values.size(); ++i) {
      for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
        const auto& dim = table.dimensions[d];
        const std::size_t at = (i / stride[d]) % dim.codes.size();
        Equation e;
        e.table = t;
        for (std::size_t c = 0; c < dim.codes.size(); ++c) {
          if (dim.parents[c] != static_cast<int>(at)) continue;
          e.local.push_back(i - at * stride[d] + c * stride[d]);
          e.terms.emplace_back(id[t][e.local.back()], -1);
        }
        if (e.terms.empty()) continue;
        e.local.push_back(i);
        e.terms.emplace_back(id[t][i], 1);
        auto sorted = e.terms;
        std::sort(sorted.begin(), sorted.end());
        if (!known.emplace(std::move(sorted), true).second) continue;
        e.where = fmt::format("{} over {}", cell_name(table, i), dim.name);
        equations.push_back(std::move(e));
      }
    }
  }

  Audit result;
  std::vector<std::size_t> hidden;  // Distinct suppressed cells, in id order.
  std::vector<int> column(value.size(), 0);
  for (std::size_t c = 0; c < value.size(); ++c) {
    if (suppressed(c)) {
      hidden.push_back(c);
      column[c] = static_cast<int>(hidden.size());
    }
  }
  if (hidden.empty()) return result;

  const auto n = hidden.size();
  const double lower = static_cast<double>(attacker.suppressed_min);
  // Protection levels (rounded up to whole units) and what each primary cell needs.
  const auto level = [&](std::int64_t v) {
    return static_cast<double>(std::max<std::int64_t>(
        problem.rule.min_level,
        static_cast<std::int64_t>(std::ceil(problem.rule.protection_percent / 100.0 * static_cast<double>(v) - 1e-9))));
  };
  std::vector<double> need_high(n), need_low(n);
  std::vector<double> seen_low(n), seen_high(n);
  for (std::size_t k = 0; k < n; ++k) {
    const double v = static_cast<double>(value[hidden[k]]);
    need_high[k] = v + level(value[hidden[k]]);
    need_low[k] = std::max({v - level(value[hidden[k]]), lower, static_cast<double>(floor_of[hidden[k]])});
    seen_low[k] = seen_high[k] = v;
  }
  std::vector<double> low = seen_low, high = seen_high;
  // Two tables the attacker cannot rule out give a secondary cell different values (after
  // rounding inwards for integer counts): it is not exactly recoverable.
  const auto apart = [&](std::size_t k) {
    if (!attacker.integer) return seen_high[k] > seen_low[k] + 0.5;
    return std::floor(seen_high[k] + 1e-7) > std::ceil(seen_low[k] - 1e-7);
  };

  bool reduced_whole = false;  // Intervals settled on the table without a level.
  if (options.reduce_levels && problem.tables.size() == 1 && attacker.suppressed_min == 0) {
    if (auto reduced = internal::reduce_by_level(problem, status.front(), problem.rule)) {
      ASSIGN_OR_RETURN(const Audit inner, audit(reduced->problem, {reduced->status}, attacker, options));
      result.batched_lps += inner.batched_lps;
      result.exact_lps += inner.exact_lps;
      std::vector<std::pair<double, double>> bounds(reduced->full.size());
      for (std::size_t j = 0; j < bounds.size(); ++j) {
        const auto v = static_cast<double>(problem.tables.front().values[reduced->full[j]]);
        bounds[j] = {v, v};  // Published: known exactly.
      }
      for (const CellAudit& a : inner.cells) bounds[a.cell] = {a.low, a.high};
      std::vector<std::size_t> reduced_of(value.size(), value.size());
      for (std::size_t j = 0; j < reduced->full.size(); ++j) reduced_of[reduced->full[j]] = j;
      for (std::size_t k = 0; k < n; ++k) {
        const std::size_t c = hidden[k];  // One table: distinct ids are cell indices.
        std::pair<double, double> b;
        if (reduced->finest[c]) {
          const auto parent = bounds[reduced->parent_cell[c]];
          // All of the parent can be moved into this cell; with a sibling, all of this
          // cell's units can move out (suppressed cells may be 0).
          b = {reduced->has_sibling[c] ? lower : parent.first, parent.second};
        } else {
          b = bounds[reduced_of[c]];
        }
        low[k] = seen_low[k] = b.first;
        high[k] = seen_high[k] = b.second;
      }
      reduced_whole = true;
    }
  }

  std::map<std::size_t, std::vector<std::size_t>> members;       // Root -> cells, in id order.
  std::map<std::size_t, std::vector<std::size_t>> equations_of;  // Root -> equations.
  if (!reduced_whole) {
    // Suppressed cells that share a relation are linked; the attacker's programme splits into
    // one independent programme per connected group, solved separately (much faster than one
    // programme over every suppressed cell of a large table).
    std::vector<std::size_t> group(n);
    for (std::size_t k = 0; k < n; ++k) group[k] = k;
    const auto find = [&](std::size_t k) {
      while (group[k] != k) k = group[k] = group[group[k]];
      return k;
    };
    for (const auto& e : equations) {
      std::optional<std::size_t> anchor;
      for (const auto& [c, sign] : e.terms) {
        if (!column[c]) continue;
        const std::size_t k = static_cast<std::size_t>(column[c] - 1);
        if (!anchor)
          anchor = find(k);
        else
          group[find(k)] = *anchor;
      }
    }
    for (std::size_t k = 0; k < n; ++k) members[find(k)].push_back(k);
    for (std::size_t q = 0; q < equations.size(); ++q) {
      for (const auto& [c, sign] : equations[q].terms) {
        if (column[c]) {
          equations_of[find(static_cast<std::size_t>(column[c] - 1))].push_back(q);
          break;
        }
      }
    }
  }

  const std::lock_guard lock(internal::glpk_mutex());
  for (const auto& [root, cells] : members) {
    Lp lp(options.programme_seconds);
    glp_prob* p = lp.get();
    const auto m = cells.size();
    std::map<std::size_t, int> local;  // Global index k -> column.
    glp_add_cols(p, static_cast<int>(m));
    for (std::size_t j = 0; j < m; ++j) {
      local[cells[j]] = static_cast<int>(j + 1);
      glp_set_col_bnds(p, static_cast<int>(j + 1), GLP_LO, lower, 0.0);
    }
    std::vector<int> ia{0};
    std::vector<int> ja{0};
    std::vector<double> ar{0.0};
    int row = 0;
    for (const std::size_t q : equations_of[root]) {
      double rhs = 0;
      std::vector<std::pair<int, double>> entries;
      for (const auto& [c, sign] : equations[q].terms) {
        if (column[c])
          entries.emplace_back(local.at(static_cast<std::size_t>(column[c] - 1)), sign);
        else
          rhs -= sign * static_cast<double>(value[c]);
      }
      glp_add_rows(p, 1);
      ++row;
      glp_set_row_bnds(p, row, GLP_FX, rhs, rhs);
      for (const auto& [col, coef] : entries) {
        ia.push_back(row);
        ja.push_back(col);
        ar.push_back(coef);
      }
    }
    glp_load_matrix(p, static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
    // A named reference: clang 14 (the fuzz preset's compiler) cannot capture a structured binding.
    const auto& group = cells;
    const auto record = [&] {
      for (std::size_t j = 0; j < m; ++j) {
        const double x = glp_get_col_prim(p, static_cast<int>(j + 1));
        seen_low[group[j]] = std::min(seen_low[group[j]], x);
        seen_high[group[j]] = std::max(seen_high[group[j]], x);
      }
    };
    const auto set_objective = [&](const std::vector<double>& weights, int direction) {
      glp_set_obj_dir(p, direction);
      for (std::size_t j = 0; j < m; ++j) glp_set_obj_coef(p, static_cast<int>(j + 1), weights[j]);
    };
    const auto cap_high = [&](std::size_t k) {
      const double v = static_cast<double>(value[hidden[k]]);
      return std::max(v, state[hidden[k]] == Status::kPrimary ? need_high[k] : v + 1) + 1;
    };
    // Batched programmes: all cells up, all down, then signed mixtures by cell id; each
    // optimum is a table the attacker cannot rule out, so it certifies bounds of many cells.
    for (int round = 0; round < options.batched_programmes; ++round) {
      std::vector<double> weights(m);
      for (std::size_t j = 0; j < m; ++j) {
        weights[j] = round < 2 ? 1.0 : (((hidden[cells[j]] * 2654435761u) >> (round + 3)) & 1) ? 1.0 : -1.0;
      }
      // Cells pushed up are capped just past their requirement: the programme stays bounded
      // and spreads the push (the capped region lies inside the attacker's, so its optimum
      // still certifies).
      for (std::size_t j = 0; j < m; ++j) {
        const bool up = round == 1 ? weights[j] < 0 : weights[j] > 0;
        if (up) glp_set_col_bnds(p, static_cast<int>(j + 1), GLP_DB, lower, cap_high(cells[j]));
      }
      set_objective(weights, round == 1 ? GLP_MIN : GLP_MAX);
      const auto outcome = lp.solve();
      for (std::size_t j = 0; j < m; ++j) glp_set_col_bnds(p, static_cast<int>(j + 1), GLP_LO, lower, 0.0);
      if (outcome == Lp::Outcome::kTimeLimit)
        return fail(ErrorCode::kInternal, "an audit linear programme ran out of time");
      if (outcome != Lp::Outcome::kOptimal) {
        return fail(ErrorCode::kInternal,
                    "the audit's linear programme has no solution: the published table is inconsistent");
      }
      ++result.batched_lps;
      record();
    }
    // Then batches aimed at the bounds still uncertified: push all of them at once, drop
    // those that reach their requirement, and repeat while the batch certifies some.
    const auto short_high = [&](std::size_t k) {
      return state[hidden[k]] == Status::kPrimary ? seen_high[k] < need_high[k] - 1e-7 : !apart(k);
    };
    const auto short_low = [&](std::size_t k) {
      return state[hidden[k]] == Status::kPrimary ? seen_low[k] > need_low[k] + 1e-7 : !apart(k);
    };
    // Each targeted cell's bound is capped at its requirement while it is pushed, so that the
    // programme spreads the push over as many cells as it can instead of piling it on a few.
    // The capped region lies inside the attacker's, so its optimum still certifies.
    for (const int direction : {GLP_MAX, GLP_MIN}) {
      for (int round = 0; options.batched_programmes > 0 && round < 20; ++round) {
        std::vector<double> weights(m, 0.0);
        std::size_t open = 0;
        for (std::size_t j = 0; j < m; ++j) {
          const std::size_t k = cells[j];
          const double v = static_cast<double>(value[hidden[k]]);
          if (direction == GLP_MAX ? short_high(k) : short_low(k)) {
            weights[j] = 1.0;
            ++open;
            const bool primary = state[hidden[k]] == Status::kPrimary;
            if (direction == GLP_MAX) {
              glp_set_col_bnds(p, static_cast<int>(j + 1), GLP_DB, lower, std::max(v, primary ? need_high[k] : v + 1));
            } else {
              const double floor = std::max(lower, std::min(v, primary ? need_low[k] : v - 1));
              glp_set_col_bnds(p, static_cast<int>(j + 1), GLP_LO, floor, 0.0);
            }
          }
        }
        const auto release_caps = [&] {
          for (std::size_t j = 0; j < m; ++j) glp_set_col_bnds(p, static_cast<int>(j + 1), GLP_LO, lower, 0.0);
        };
        if (open < 2) {
          release_caps();  // A cap left behind would narrow every later programme.
          break;
        }
        set_objective(weights, direction);
        const auto outcome = lp.solve();
        release_caps();
        if (outcome == Lp::Outcome::kTimeLimit)
          return fail(ErrorCode::kInternal, "an audit linear programme ran out of time");
        if (outcome != Lp::Outcome::kOptimal) return fail(ErrorCode::kInternal, "an audit linear programme failed");
        ++result.batched_lps;
        record();
        std::size_t still = 0;
        for (std::size_t j = 0; j < m; ++j)
          still += (direction == GLP_MAX ? short_high(cells[j]) : short_low(cells[j])) ? 1 : 0;
        if (still == open) break;
      }
    }
    std::vector<double> unit(m, 0.0);
    const auto solve_one = [&](std::size_t j, int direction) -> Result<double> {
      unit[j] = 1.0;
      set_objective(unit, direction);
      unit[j] = 0.0;
      const auto outcome = lp.solve();
      ++result.exact_lps;
      if (outcome == Lp::Outcome::kUnbounded && direction == GLP_MAX) return std::numeric_limits<double>::infinity();
      if (outcome == Lp::Outcome::kTimeLimit)
        return fail(ErrorCode::kInternal, "an audit linear programme ran out of time");
      if (outcome != Lp::Outcome::kOptimal) return fail(ErrorCode::kInternal, "an audit linear programme failed");
      record();
      return glp_get_obj_val(p);
    };
    for (std::size_t j = 0; j < m; ++j) {
      const std::size_t k = cells[j];
      const bool primary = state[hidden[k]] == Status::kPrimary;
      // Secondary cells: only whether they are exactly recoverable matters (a violation when
      // the value is unsafe, and it decides the group disclosures below).
      const bool high_ok = primary ? seen_high[k] >= need_high[k] - 1e-7 : apart(k);
      const bool low_ok = primary ? seen_low[k] <= need_low[k] + 1e-7 : apart(k);
      // Screening judges primary cells on the certified bounds alone, but settles whether a
      // secondary cell is exact: a false "exact" would raise false group disclosures, which
      // the suppression would repair with cells nobody needs.
      if (options.screening && (primary || high_ok)) continue;
      if (options.sample_every > 1 && k % options.sample_every != 0) continue;
      if (!high_ok || options.exact_intervals) {
        ASSIGN_OR_RETURN(high[k], solve_one(j, GLP_MAX));
      }
      if ((!low_ok && (primary || !apart(k))) || options.exact_intervals) {
        ASSIGN_OR_RETURN(low[k], solve_one(j, GLP_MIN));
      }
    }
  }
  std::vector<char> known_exactly(value.size(), 1);  // Published, or suppressed and recoverable.
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t c = hidden[k];
    CellAudit a;
    a.table = first[c].table;
    a.cell = first[c].cell;
    a.status = state[c];
    a.value = value[c];
    a.floor = static_cast<double>(floor_of[c]);
    double lo = std::min(low[k], seen_low[k]);
    double hi = std::max(high[k], seen_high[k]);
    if (attacker.integer) {
      lo = std::ceil(lo - 1e-7);
      hi = std::floor(hi + 1e-7);
    }
    a.low = lo;
    a.high = hi;
    if (a.status == Status::kPrimary) {
      if (hi <= lo)
        a.problem = "exactly recoverable";
      else if (hi < need_high[k] - 1e-7)
        a.problem = fmt::format("upper bound {} below the required {}", hi, need_high[k]);
      else if (lo > need_low[k] + 1e-7)
        a.problem = fmt::format("lower bound {} above the required {}", lo, need_low[k]);
      if (!a.problem.empty()) ++result.violations;
    } else if (hi <= lo) {
      ++result.exact_secondaries;
      if (a.value >= 1 && a.value < problem.rule.min_frequency) {
        a.problem = fmt::format("exactly recoverable with {} units, below {}", a.value, problem.rule.min_frequency);
        ++result.violations;
      }
    }
    known_exactly[c] = hi <= lo ? 1 : 0;
    result.cells.push_back(std::move(a));
  }
  // Group disclosure (the threshold rule applied to derivable sums): in a relation whose parent
  // is known exactly (published, or suppressed and exactly recoverable), the suppressed
  // children sum to the parent minus the published ones, and those among them not known
  // exactly sum to that minus the ones that are. Either group, of two or more cells, summing to
  // 1 .. n-1 gives a small group away. Across relations too: exactness comes from the
  // intervals above, which use every relation of every table.
  std::map<std::vector<std::size_t>, bool> reported;
  for (const auto& e : equations) {
    const std::size_t parent = e.terms.back().first;
    if (!known_exactly[parent]) continue;
    for (const bool without_known : {false, true}) {
      std::vector<std::size_t> group;
      std::vector<std::size_t> cells;
      std::int64_t sum = 0;
      for (std::size_t k = 0; k + 1 < e.terms.size(); ++k) {
        const std::size_t c = e.terms[k].first;
        if (!suppressed(c) || (without_known && known_exactly[c])) continue;
        group.push_back(c);
        cells.push_back(e.local[k]);
        sum += value[c];
      }
      if (group.size() < 2 || sum < 1 || sum >= problem.rule.min_frequency) continue;
      std::sort(group.begin(), group.end());
      if (!reported.emplace(group, true).second) continue;
      std::sort(cells.begin(), cells.end());
      GroupDisclosure g{e.table, e.local.back(), std::move(cells), sum, ""};
      g.description = fmt::format("{}: {} of its suppressed cells sum to {}, below {}, and the {} gives the sum away",
                                  e.where, g.cells.size(), sum, problem.rule.min_frequency,
                                  suppressed(parent) ? "exactly recoverable parent" : "published parent");
      result.group_disclosures.push_back(std::move(g));
    }
  }
  result.violations += static_cast<std::int64_t>(result.group_disclosures.size());
  return result;
}

}  // namespace rapporteur::sdc
