// The cell-key method. The perturbation table is built here rather than read from sdcTools'
// ptable: for counts above D the change d in -D..D has probability `stay` at 0 and, elsewhere,
// weights chosen to give variance V (two free weights for D = 2, spread evenly beyond); for
// counts c <= D the same shape is cut to -c..c and renormalised, which keeps the mean at zero
// and the result at or above zero.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "sdc/sdc.h"

namespace rapporteur::sdc {
namespace {

// Probabilities of the changes -D..D for counts above D.
Result<std::vector<double>> shape(const PerturbationTable& t) {
  const int d = t.max_deviation;
  if (d < 1 || d > 10)
    return fail(ErrorCode::kInvalidArgument, fmt::format("maximum deviation {} must lie in 1..10", d));
  if (!(t.stay > 0 && t.stay < 1))
    return fail(ErrorCode::kInvalidArgument, "the probability to stay must lie in (0, 1)");
  // Mass (1 - stay) split over |k| = 1 and |k| = 2..D so that sum p_k k^2 = V:
  // 2a*1 + 2b*S = V with a + b' = (1 - stay)/2, where b spreads over 2..D evenly.
  const double half = (1 - t.stay) / 2;
  std::vector<double> p(static_cast<std::size_t>(2 * d + 1), 0.0);
  p[static_cast<std::size_t>(d)] = t.stay;
  if (d == 1) {
    if (std::abs(2 * half - t.variance) > 1e-9) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("with D = 1 the variance is fixed at 1 - stay = {}; {} was asked", 2 * half, t.variance));
    }
    p[0] = p[2] = half;
    return p;
  }
  double mean_square = 0;  // Mean of k^2 over 2..D.
  for (int k = 2; k <= d; ++k) mean_square += static_cast<double>(k * k) / (d - 1);
  // 2 (a + b mean_square) = V, a + b = half.
  const double b = (t.variance / 2 - half) / (mean_square - 1);
  const double a = half - b;
  if (a < 0 || b < 0) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("variance {} cannot be reached with D = {} and stay = {}", t.variance, d, t.stay));
  }
  p[static_cast<std::size_t>(d - 1)] = p[static_cast<std::size_t>(d + 1)] = a;
  for (int k = 2; k <= d; ++k) p[static_cast<std::size_t>(d - k)] = p[static_cast<std::size_t>(d + k)] = b / (d - 1);
  return p;
}

}  // namespace

double record_key(std::string_view person_key) {
  std::uint64_t bits = 0;
  int used = 0;
  for (const char ch : person_key) {
    int v = -1;
    if (ch >= '0' && ch <= '9')
      v = ch - '0';
    else if (ch >= 'a' && ch <= 'f')
      v = ch - 'a' + 10;
    else if (ch >= 'A' && ch <= 'F')
      v = ch - 'A' + 10;
    if (v < 0) continue;
    bits = (bits << 4) | static_cast<std::uint64_t>(v);
    if (++used == 13) break;  // 52 bits: exact in a double.
  }
  return static_cast<double>(bits) / static_cast<double>(std::uint64_t{1} << 52);
}

double cell_key(const std::vector<double>& record_keys) {
  double sum = 0;
  for (const double k : record_keys) sum += k;
  return sum - std::floor(sum);
}

Result<std::int64_t> perturb(std::int64_t count, double key, const PerturbationTable& table) {
  if (count < 0) return fail(ErrorCode::kInvalidArgument, fmt::format("negative count {}", count));
  if (!(key >= 0 && key < 1)) return fail(ErrorCode::kInvalidArgument, fmt::format("cell key {} outside [0, 1)", key));
  ASSIGN_OR_RETURN(const auto p, shape(table));
  if (count == 0) return 0;
  const int d = table.max_deviation;
  const int reach = static_cast<int>(std::min<std::int64_t>(count, d));
  double total = 0;
  for (int k = -reach; k <= reach; ++k) total += p[static_cast<std::size_t>(k + d)];
  double cumulative = 0;
  for (int k = -reach; k <= reach; ++k) {
    cumulative += p[static_cast<std::size_t>(k + d)] / total;
    if (key < cumulative) return count + k;
  }
  return count + reach;
}

}  // namespace rapporteur::sdc
