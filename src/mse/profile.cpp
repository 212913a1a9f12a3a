// The multinomial profile-likelihood interval; the procedure follows Rcapture's closedpCI.t
// (Baillargeon and Rivest 2007) so that its figures can be compared.
#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "mse/internal/fit_internal.h"
#include "mse/mse.h"

namespace rapporteur::mse {
namespace {

constexpr double kTolerance = 1e-4;  // In N, as R's optimize and uniroot in closedpCI.t.

// Cormack's (1992) correction to the Poisson deviance of the completed table.
double cormack_term(double n0, double total) {
  if (total > 100) {
    if (n0 == 0 || n0 == 1) return -total + 0.5 * std::log(2 * M_PI * total);
    return n0 - total - 0.5 * std::log(n0 / total);
  }
  const double n0_log_n0 = n0 > 0 ? n0 * std::log(n0) : 0.0;
  return n0_log_n0 + std::lgamma(total + 1) - total * std::log(total) - std::lgamma(n0 + 1);
}

// Golden-section search for the maximum of f on [a, b].
template <typename F>
Result<std::pair<double, double>> maximise(F f, double a, double b) {
  const double ratio = (std::sqrt(5.0) - 1) / 2;
  double c = b - ratio * (b - a);
  double d = a + ratio * (b - a);
  ASSIGN_OR_RETURN(double fc, f(c));
  ASSIGN_OR_RETURN(double fd, f(d));
  while (b - a > kTolerance) {
    if (fc > fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      ASSIGN_OR_RETURN(fc, f(c));
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      ASSIGN_OR_RETURN(fd, f(d));
    }
  }
  const double x = (a + b) / 2;
  ASSIGN_OR_RETURN(const double fx, f(x));
  return std::pair{x, fx};
}

// Bisection for a root of f on [a, b]; nullopt when f has the same sign at both ends.
template <typename F>
Result<std::optional<double>> find_root(F f, double a, double b) {
  ASSIGN_OR_RETURN(double fa, f(a));
  ASSIGN_OR_RETURN(const double fb, f(b));
  if ((fa > 0) == (fb > 0)) return std::optional<double>();
  while (b - a > kTolerance) {
    const double m = (a + b) / 2;
    ASSIGN_OR_RETURN(const double fm, f(m));
    if ((fm > 0) == (fa > 0)) {
      a = m;
      fa = fm;
    } else {
      b = m;
    }
  }
  return std::optional<double>((a + b) / 2);
}

Result<double> chi_square_1(double level) {
  // Quantiles of the chi-square distribution with one degree of freedom.
  if (level == 0.80) return 1.6423744151498806;
  if (level == 0.90) return 2.705543454095404;
  if (level == 0.95) return 3.841458820694124;
  if (level == 0.99) return 6.634896601021213;
  return fail(ErrorCode::kInvalidArgument, fmt::format("confidence level {} is not 0.80, 0.90, 0.95 or 0.99", level));
}

}  // namespace

Result<ProfileInterval> profile_interval(const CaptureTable& table, const FitResult& fitted, double level) {
  if (fitted.status != FitStatus::kOk) {
    return fail(ErrorCode::kInvalidArgument, "no interval for a model that is not estimable: " + fitted.message);
  }
  ASSIGN_OR_RETURN(const double quantile, chi_square_1(level));
  // The completed table: the fitted cells plus the unobserved one, which activates only the
  // intercept.
  internal::Design design = internal::build_design(table, fitted.model);
  const int columns = design.columns;
  std::vector<std::vector<int>>& active = design.active;
  std::vector<double> counts;
  for (const std::size_t p : design.cells) counts.push_back(static_cast<double>(table.counts[p]));
  active.push_back({0});
  counts.push_back(0);
  Eigen::VectorXd y = Eigen::Map<Eigen::VectorXd>(counts.data(), static_cast<Eigen::Index>(counts.size()));
  const double n = static_cast<double>(table.observed());

  const auto log_likelihood = [&](double total) -> Result<double> {
    const double n0 = total - n;
    y[y.size() - 1] = n0;
    ASSIGN_OR_RETURN(const internal::IrlsFit completed, internal::fit_poisson(active, y, columns));
    return completed.deviance / -2 + cormack_term(n0, y.sum());
  };
  ASSIGN_OR_RETURN(const auto maximum, maximise(log_likelihood, n, 3 * fitted.total));
  const double cut = maximum.second - quantile / 2;
  const auto shifted = [&](double total) -> Result<double> {
    ASSIGN_OR_RETURN(const double value, log_likelihood(total));
    return value - cut;
  };
  ProfileInterval interval;
  interval.estimate = maximum.first;
  ASSIGN_OR_RETURN(const auto low, find_root(shifted, n, maximum.first));
  interval.low = low.value_or(n);
  ASSIGN_OR_RETURN(const auto high, find_root(shifted, maximum.first, 3 * fitted.total));
  interval.high_found = high.has_value();
  interval.high = high.value_or(3 * fitted.total);
  return interval;
}

}  // namespace rapporteur::mse
