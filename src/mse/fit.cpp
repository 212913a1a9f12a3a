// Poisson log-linear fitting with Eigen; the existence check with GLPK.
#include <glpk.h>

#include <algorithm>
#include <cmath>
#include <mutex>

#include <fmt/format.h>
#include <Eigen/Dense>

#include "mse/internal/fit_internal.h"
#include "mse/mse.h"

namespace rapporteur::mse {
namespace {

constexpr int kMaxIterations = 100;
constexpr int kMaxHalvings = 30;
constexpr double kTolerance = 1e-12;

double deviance_of(const Eigen::VectorXd& y, const Eigen::VectorXd& mu) {
  double d = 0;
  for (Eigen::Index i = 0; i < y.size(); ++i) {
    d += y[i] > 0 ? 2 * (y[i] * std::log(y[i] / mu[i]) - (y[i] - mu[i])) : 2 * mu[i];
  }
  return d;
}

// Is there a strictly positive table with the same sufficient statistics X'y? Maximises t
// subject to X'm = X'y, m >= t, 0 <= t <= 1 (SparseMSE's checkident criterion). The MLE of a
// Poisson log-linear model exists exactly when that maximum is positive.
bool strictly_positive_table_exists(const Eigen::MatrixXd& x, const Eigen::VectorXd& y) {
  // GLPK keeps global state unless built with thread-local storage; serialise its use.
  static std::mutex glpk_mutex;
  const std::lock_guard lock(glpk_mutex);
  const int cells = static_cast<int>(x.rows());
  const int columns = static_cast<int>(x.cols());
  glp_prob* lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MAX);
  glp_add_cols(lp, cells + 1);
  for (int c = 1; c <= cells; ++c) glp_set_col_bnds(lp, c, GLP_LO, 0.0, 0.0);
  glp_set_col_bnds(lp, cells + 1, GLP_DB, 0.0, 1.0);
  glp_set_obj_coef(lp, cells + 1, 1.0);
  glp_add_rows(lp, columns + cells);
  const Eigen::VectorXd statistics = x.transpose() * y;
  std::vector<int> rows{0};
  std::vector<int> cols{0};
  std::vector<double> values{0.0};
  for (int j = 0; j < columns; ++j) {
    glp_set_row_bnds(lp, j + 1, GLP_FX, statistics[j], statistics[j]);
    for (int c = 0; c < cells; ++c) {
      if (x(c, j) != 0.0) {
        rows.push_back(j + 1);
        cols.push_back(c + 1);
        values.push_back(x(c, j));
      }
    }
  }
  for (int c = 0; c < cells; ++c) {
    const int row = columns + c + 1;
    glp_set_row_bnds(lp, row, GLP_LO, 0.0, 0.0);
    rows.push_back(row);
    cols.push_back(c + 1);
    values.push_back(1.0);
    rows.push_back(row);
    cols.push_back(cells + 1);
    values.push_back(-1.0);
  }
  glp_load_matrix(lp, static_cast<int>(rows.size()) - 1, rows.data(), cols.data(), values.data());
  glp_smcp parameters;
  glp_init_smcp(&parameters);
  parameters.msg_lev = GLP_MSG_OFF;
  parameters.presolve = GLP_ON;
  const int rc = glp_simplex(lp, &parameters);
  const bool exists = rc == 0 && glp_get_status(lp) == GLP_OPT && glp_get_obj_val(lp) > 1e-9;
  glp_delete_prob(lp);
  // GLPK keeps an environment per thread; free it, or every worker thread of a search leaks it.
  glp_free_env();
  return exists;
}

}  // namespace

Result<internal::IrlsFit> internal::fit_poisson(const std::vector<std::vector<int>>& active, const Eigen::VectorXd& y,
                                                int columns) {
  const auto rows = y.size();
  // Newton-Raphson for the Poisson log link (IRLS), started like R's glm at mu = y + 0.1.
  // The design is 0/1 and sparse (a cell activates the intercept, its lists and their
  // pairs), so X'WX and X'Wz are accumulated over each cell's active columns: about ten
  // times fewer operations than dense products, which matters for 32,768-model searches.
  const auto linear_predictor = [&](const Eigen::VectorXd& coefficients) {
    Eigen::VectorXd eta_out(rows);
    for (Eigen::Index r = 0; r < rows; ++r) {
      double sum = 0;
      for (const int j : active[static_cast<std::size_t>(r)]) sum += coefficients[j];
      eta_out[r] = sum;
    }
    return eta_out;
  };
  Eigen::VectorXd mu = (y.array() + 0.1).matrix();
  Eigen::VectorXd eta = mu.array().log().matrix();
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(columns);
  Eigen::MatrixXd hessian(columns, columns);
  Eigen::VectorXd gradient(columns);
  double deviance = deviance_of(y, mu);
  bool converged = false;
  int iterations = 0;
  for (int iteration = 1; iteration <= kMaxIterations && !converged; ++iteration) {
    iterations = iteration;
    hessian.setZero();
    gradient.setZero();
    for (Eigen::Index r = 0; r < rows; ++r) {
      const double w = mu[r];
      const double wz = w * eta[r] + (y[r] - mu[r]);
      const auto& cols = active[static_cast<std::size_t>(r)];
      for (std::size_t a = 0; a < cols.size(); ++a) {
        gradient[cols[a]] += wz;
        for (std::size_t b = 0; b <= a; ++b) hessian(cols[a], cols[b]) += w;
      }
    }
    Eigen::VectorXd next = hessian.selfadjointView<Eigen::Lower>().ldlt().solve(gradient);
    Eigen::VectorXd next_eta = linear_predictor(next);
    Eigen::VectorXd next_mu = next_eta.array().exp().matrix();
    double next_deviance = deviance_of(y, next_mu);
    // Step halving when the deviance does not go down (after the first step, which starts
    // from mu rather than from a coefficient vector).
    for (int halving = 0; iteration > 1 && halving < kMaxHalvings &&
                          (!std::isfinite(next_deviance) || next_deviance > deviance * (1 + 1e-14) + 1e-14);
         ++halving) {
      next = (next + beta) / 2;
      next_eta = linear_predictor(next);
      next_mu = next_eta.array().exp().matrix();
      next_deviance = deviance_of(y, next_mu);
    }
    if (!std::isfinite(next_deviance)) {
      return fail(ErrorCode::kInternal, "the Poisson fit diverged although the estimate exists");
    }
    converged = std::abs(next_deviance - deviance) / (std::abs(next_deviance) + 0.1) < kTolerance && iteration > 1;
    beta = next;
    eta = next_eta;
    mu = next_mu;
    deviance = next_deviance;
  }
  if (!converged) {
    return fail(ErrorCode::kInternal, fmt::format("the Poisson fit did not converge in {} iterations", kMaxIterations));
  }
  return IrlsFit{beta, mu, deviance, iterations};
}

std::int64_t internal::overlap(const CaptureTable& table, int a, int b) {
  const std::size_t both = (std::size_t{1} << a) | (std::size_t{1} << b);
  std::int64_t total = 0;
  for (std::size_t p = 1; p < table.counts.size(); ++p) {
    if ((p & both) == both) total += table.counts[p];
  }
  return total;
}

internal::Design internal::build_design(const CaptureTable& table, const Model& model) {
  const int k = table.list_count();
  Design design;
  for (const auto& pair : model.interactions) {
    (overlap(table, pair.first, pair.second) == 0 ? design.infinite : design.finite).push_back(pair);
  }
  design.columns = 1 + k + static_cast<int>(design.finite.size());
  for (std::size_t p = 1; p < table.counts.size(); ++p) {
    const auto holds = [p](const std::pair<int, int>& pair) {
      return ((p >> pair.first) & 1) && ((p >> pair.second) & 1);
    };
    if (std::any_of(design.infinite.begin(), design.infinite.end(), holds)) continue;
    std::vector<int> cols{0};
    for (int i = 0; i < k; ++i) {
      if ((p >> i) & 1) cols.push_back(1 + i);
    }
    for (std::size_t t = 0; t < design.finite.size(); ++t) {
      if (holds(design.finite[t])) cols.push_back(1 + k + static_cast<int>(t));
    }
    design.cells.push_back(p);
    design.active.push_back(std::move(cols));
  }
  return design;
}

Result<FitResult> fit(const CaptureTable& table, const Model& model) {
  return internal::fit_model(table, model, internal::Existence::kCheck);
}

Result<FitResult> internal::fit_model(const CaptureTable& table, const Model& model, Existence existence) {
  const int k = table.list_count();
  if (k < 2 || table.counts.size() != (std::size_t{1} << k)) {
    return fail(ErrorCode::kInvalidArgument, "a capture table needs at least 2 lists and 2^K counts");
  }
  for (const auto& [a, b] : model.interactions) {
    if (a < 0 || b >= k || a >= b) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("model term ({}, {}) is not a pair of the table's lists", a, b));
    }
  }
  FitResult result;
  result.model = model;
  const Design design = build_design(table, model);
  result.infinite_interactions = design.infinite;
  const int columns = design.columns;
  result.coefficient_names.push_back("(intercept)");
  for (const auto& name : table.lists) result.coefficient_names.push_back(name);
  for (const auto& [a, b] : design.finite) {
    result.coefficient_names.push_back(table.lists[a] + ":" + table.lists[b]);
  }
  result.parameters = columns + static_cast<int>(result.infinite_interactions.size());

  const auto rows = static_cast<Eigen::Index>(design.cells.size());
  Eigen::VectorXd y(rows);
  bool any_zero = false;
  for (Eigen::Index r = 0; r < rows; ++r) {
    const std::int64_t count = table.counts[design.cells[static_cast<std::size_t>(r)]];
    y[r] = static_cast<double>(count);
    any_zero = any_zero || count == 0;
  }
  // With every cell kept, the monomials of degree up to 2 are linearly independent on the
  // non-empty capture patterns whenever there are at least as many cells as columns (only the
  // saturated two-list model is not, and it has more columns than cells); the QR is needed
  // only when cells were dropped.
  const bool full_rank_known = design.infinite.empty() && rows >= columns;
  // A dense copy of the design for the rank check and the linear programme, when needed.
  Eigen::MatrixXd x;
  if (!full_rank_known || (any_zero && existence == Existence::kCheck)) {
    x = Eigen::MatrixXd::Zero(rows, columns);
    for (Eigen::Index r = 0; r < rows; ++r) {
      for (const int j : design.active[static_cast<std::size_t>(r)]) x(r, j) = 1.0;
    }
  }
  if (rows < columns || (!full_rank_known && Eigen::ColPivHouseholderQR<Eigen::MatrixXd>(x).rank() < columns)) {
    result.status = FitStatus::kNotIdentifiable;
    result.message = fmt::format("not identifiable: {} parameters but the design on the {} cells left has lower rank",
                                 columns, rows);
    return result;
  }
  if (any_zero && existence == Existence::kCheck && !strictly_positive_table_exists(x, y)) {
    result.status = FitStatus::kNoMle;
    result.message = "no maximum-likelihood estimate: the zero cells put the data on the boundary of the model";
    return result;
  }

  const auto& active = design.active;
  ASSIGN_OR_RETURN(const internal::IrlsFit irls_fit, internal::fit_poisson(active, y, columns));
  result.iterations = irls_fit.iterations;
  const Eigen::VectorXd& beta = irls_fit.beta;
  const Eigen::VectorXd& mu = irls_fit.mu;
  const double deviance = irls_fit.deviance;
  result.coefficients.assign(beta.data(), beta.data() + beta.size());
  result.deviance = deviance;
  double log_likelihood = 0;
  for (Eigen::Index r = 0; r < rows; ++r) {
    log_likelihood += y[r] * std::log(mu[r]) - mu[r] - std::lgamma(y[r] + 1);
  }
  result.log_likelihood = log_likelihood;
  result.aic = -2 * log_likelihood + 2.0 * result.parameters;
  result.bic = -2 * log_likelihood + result.parameters * std::log(static_cast<double>(table.observed()));
  result.unobserved = std::exp(beta[0]);
  result.total = static_cast<double>(table.observed()) + result.unobserved;
  // Standard error of the intercept from the inverse Fisher information X'WX.
  Eigen::MatrixXd information = Eigen::MatrixXd::Zero(columns, columns);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const auto& cols = active[static_cast<std::size_t>(r)];
    for (std::size_t a = 0; a < cols.size(); ++a) {
      for (std::size_t b = 0; b <= a; ++b) information(cols[a], cols[b]) += mu[r];
    }
  }
  const double se =
      std::sqrt(information.selfadjointView<Eigen::Lower>().ldlt().solve(Eigen::VectorXd::Unit(columns, 0))[0]);
  result.ci_low = static_cast<double>(table.observed()) + std::exp(beta[0] - 1.959963984540054 * se);
  result.ci_high = static_cast<double>(table.observed()) + std::exp(beta[0] + 1.959963984540054 * se);
  if (!std::isfinite(result.unobserved) || !std::isfinite(result.aic) || !std::isfinite(result.ci_high)) {
    result.status = FitStatus::kNoMle;
    result.message = "the estimate of the unobserved cell is not finite";
  }
  return result;
}

std::vector<double> fitted_counts(const CaptureTable& table, const FitResult& fitted) {
  std::vector<double> means(table.counts.size(), 0.0);
  if (fitted.status != FitStatus::kOk) return means;
  const internal::Design design = internal::build_design(table, fitted.model);
  for (std::size_t r = 0; r < design.cells.size(); ++r) {
    double eta = 0;
    for (const int j : design.active[r]) eta += fitted.coefficients[static_cast<std::size_t>(j)];
    means[design.cells[r]] = std::exp(eta);
  }
  means[0] = fitted.unobserved;
  return means;
}

Result<StratifiedFit> fit_stratified(const StratifiedTable& table, const StratifiedModel& model) {
  const int k = static_cast<int>(table.lists.size());
  const int strata = static_cast<int>(table.strata.size());
  if (k < 2) return fail(ErrorCode::kInvalidArgument, "a stratified table needs at least 2 lists");
  if (strata == 0 || table.observed() == 0) return fail(ErrorCode::kInvalidArgument, "the stratified table is empty");
  for (const auto& c : table.counts) {
    if (c.size() != std::size_t{1} << k)
      return fail(ErrorCode::kInvalidArgument, "a stratum's table has the wrong size");
  }
  for (const auto& [a, b] : model.pairs.interactions) {
    if (a < 0 || b < 0 || a >= k || b >= k || a == b)
      return fail(ErrorCode::kInvalidArgument, "model names a list the table lacks");
  }
  for (const int l : model.stratum_lists) {
    if (l < 0 || l >= k) return fail(ErrorCode::kInvalidArgument, "stratum-by-list term names a list the table lacks");
  }
  // Pairs that never overlap in any stratum go to minus infinity, as in fit().
  CaptureTable pooled{table.lists, std::vector<std::int64_t>(std::size_t{1} << k, 0)};
  for (const auto& c : table.counts) {
    for (std::size_t p = 1; p < c.size(); ++p) pooled.counts[p] += c[p];
  }
  const internal::Design pattern_design = internal::build_design(pooled, model.pairs);
  StratifiedFit result;
  result.infinite_interactions = pattern_design.infinite;
  const int stratum_base = 1;
  const int list_base = stratum_base + strata - 1;
  const int cross_base = list_base + k;
  const int pair_base = cross_base + static_cast<int>(model.stratum_lists.size()) * (strata - 1);
  const int columns = pair_base + static_cast<int>(pattern_design.finite.size());
  result.coefficient_names.push_back("(intercept)");
  for (int s = 1; s < strata; ++s)
    result.coefficient_names.push_back("stratum " + table.strata[static_cast<std::size_t>(s)]);
  for (const auto& l : table.lists) result.coefficient_names.push_back(l);
  for (const int l : model.stratum_lists) {
    for (int s = 1; s < strata; ++s) {
      result.coefficient_names.push_back(table.lists[static_cast<std::size_t>(l)] + ":stratum " +
                                         table.strata[static_cast<std::size_t>(s)]);
    }
  }
  for (const auto& [a, b] : pattern_design.finite) {
    result.coefficient_names.push_back(table.lists[static_cast<std::size_t>(a)] + ":" +
                                       table.lists[static_cast<std::size_t>(b)]);
  }
  result.parameters = columns + static_cast<int>(pattern_design.infinite.size());

  std::vector<std::vector<int>> active;
  std::vector<double> counts;
  for (int s = 0; s < strata; ++s) {
    for (std::size_t r = 0; r < pattern_design.cells.size(); ++r) {
      const std::size_t p = pattern_design.cells[r];
      std::vector<int> cols{0};
      if (s > 0) cols.push_back(stratum_base + s - 1);
      for (int i = 0; i < k; ++i) {
        if ((p >> i) & 1) cols.push_back(list_base + i);
      }
      for (std::size_t t = 0; t < model.stratum_lists.size(); ++t) {
        if (s > 0 && ((p >> model.stratum_lists[t]) & 1))
          cols.push_back(cross_base + static_cast<int>(t) * (strata - 1) + s - 1);
      }
      for (std::size_t t = 0; t < pattern_design.finite.size(); ++t) {
        const auto [a, b] = pattern_design.finite[t];
        if (((p >> a) & 1) && ((p >> b) & 1)) cols.push_back(pair_base + static_cast<int>(t));
      }
      std::sort(cols.begin(), cols.end());
      active.push_back(std::move(cols));
      counts.push_back(static_cast<double>(table.counts[static_cast<std::size_t>(s)][p]));
    }
  }
  const auto rows = static_cast<Eigen::Index>(active.size());
  Eigen::MatrixXd x = Eigen::MatrixXd::Zero(rows, columns);
  Eigen::VectorXd y(rows);
  bool any_zero = false;
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (const int j : active[static_cast<std::size_t>(r)]) x(r, j) = 1.0;
    y[r] = counts[static_cast<std::size_t>(r)];
    any_zero = any_zero || y[r] == 0;
  }
  if (rows < columns || Eigen::ColPivHouseholderQR<Eigen::MatrixXd>(x).rank() < columns) {
    result.status = FitStatus::kNotIdentifiable;
    result.message = fmt::format("not identifiable: {} parameters but the design on the {} cells left has lower rank",
                                 columns, rows);
    return result;
  }
  if (any_zero && !strictly_positive_table_exists(x, y)) {
    result.status = FitStatus::kNoMle;
    result.message = "no maximum-likelihood estimate: the zero cells put the data on the boundary of the model";
    return result;
  }
  ASSIGN_OR_RETURN(const internal::IrlsFit irls, internal::fit_poisson(active, y, columns));
  result.coefficients.assign(irls.beta.data(), irls.beta.data() + irls.beta.size());
  result.deviance = irls.deviance;
  double log_likelihood = 0;
  for (Eigen::Index r = 0; r < rows; ++r)
    log_likelihood += y[r] * std::log(irls.mu[r]) - irls.mu[r] - std::lgamma(y[r] + 1);
  const auto n = static_cast<double>(table.observed());
  result.aic = -2 * log_likelihood + 2.0 * result.parameters;
  result.bic = -2 * log_likelihood + result.parameters * std::log(n);
  // The unobserved cell of stratum s has linear predictor b0 + b_s.
  Eigen::VectorXd gradient = Eigen::VectorXd::Zero(columns);
  double unobserved = 0;
  for (int s = 0; s < strata; ++s) {
    const double u = std::exp(irls.beta[0] + (s > 0 ? irls.beta[stratum_base + s - 1] : 0.0));
    result.unobserved.push_back(u);
    unobserved += u;
    gradient[0] += u;
    if (s > 0) gradient[stratum_base + s - 1] += u;
  }
  result.total = n + unobserved;
  Eigen::MatrixXd information = Eigen::MatrixXd::Zero(columns, columns);
  for (Eigen::Index r = 0; r < rows; ++r) {
    const auto& cols = active[static_cast<std::size_t>(r)];
    for (std::size_t a = 0; a < cols.size(); ++a) {
      for (std::size_t b = 0; b <= a; ++b) information(cols[a], cols[b]) += irls.mu[r];
    }
  }
  const double variance = gradient.dot(information.selfadjointView<Eigen::Lower>().ldlt().solve(gradient));
  const double se_log = std::sqrt(variance) / unobserved;
  result.ci_low = n + unobserved * std::exp(-1.959963984540054 * se_log);
  result.ci_high = n + unobserved * std::exp(1.959963984540054 * se_log);
  if (!std::isfinite(result.total) || !std::isfinite(result.ci_high) || !std::isfinite(result.aic)) {
    result.status = FitStatus::kNoMle;
    result.message = "the estimate of the unobserved cells is not finite";
  }
  return result;
}

}  // namespace rapporteur::mse
