#include "mse/checks.h"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

namespace rapporteur::mse {

std::vector<std::string> data_warnings(const CaptureTable& table, std::int64_t sparse_below) {
  std::vector<std::string> warnings;
  const int lists = table.list_count();
  for (int a = 0; a < lists; ++a) {
    std::int64_t seen = 0;
    for (std::size_t p = 1; p < table.counts.size(); ++p) seen += ((p >> a) & 1U) ? table.counts[p] : 0;
    if (seen < sparse_below) {
      warnings.push_back(fmt::format("list {} saw only {} people: what it adds rests on very little",
                                     table.lists[static_cast<std::size_t>(a)], seen));
    }
    for (int b = a + 1; b < lists; ++b) {
      std::int64_t overlap = 0;
      for (std::size_t p = 1; p < table.counts.size(); ++p) {
        if (((p >> a) & 1U) && ((p >> b) & 1U)) overlap += table.counts[p];
      }
      if (overlap == 0) {
        warnings.push_back(fmt::format(
            "lists {} and {} never share a person: their dependence is identified weakly (a log-linear term for the "
            "pair sits at minus infinity; the latent class model leans on its prior)",
            table.lists[static_cast<std::size_t>(a)], table.lists[static_cast<std::size_t>(b)]));
      }
    }
  }
  return warnings;
}

std::vector<std::string> compare_methods(const std::vector<MethodEstimate>& estimates, double factor) {
  std::vector<std::string> warnings;
  if (estimates.size() < 2) return warnings;
  const auto [lowest, highest] =
      std::minmax_element(estimates.begin(), estimates.end(),
                          [](const MethodEstimate& a, const MethodEstimate& b) { return a.total < b.total; });
  if (highest->total > factor * lowest->total) {
    warnings.push_back(
        fmt::format("the methods disagree by a factor of {:.1f}: {} gives {:.0f}, {} gives {:.0f}; no "
                    "single figure should be reported without the others",
                    highest->total / lowest->total, lowest->method, lowest->total, highest->method, highest->total));
  }
  for (std::size_t i = 0; i < estimates.size(); ++i) {
    for (std::size_t j = i + 1; j < estimates.size(); ++j) {
      const auto& a = estimates[i];
      const auto& b = estimates[j];
      if (a.high < b.low || b.high < a.low) {
        warnings.push_back(
            fmt::format("the intervals of {} ({:.0f} to {:.0f}) and {} ({:.0f} to {:.0f}) do not overlap", a.method,
                        a.low, a.high, b.method, b.low, b.high));
      }
    }
  }
  return warnings;
}

Result<std::vector<LeftOutList>> leave_one_list_out(const CaptureTable& table, const Selection& select) {
  const int lists = table.list_count();
  if (lists < 3) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("leaving one list out needs at least 3 lists, the table has {}", lists));
  }
  std::vector<LeftOutList> results;
  for (int left = 0; left < lists; ++left) {
    LeftOutList result;
    result.list = table.lists[static_cast<std::size_t>(left)];
    CaptureTable others;
    for (int j = 0; j < lists; ++j) {
      if (j != left) others.lists.push_back(table.lists[static_cast<std::size_t>(j)]);
    }
    others.counts.assign(std::size_t{1} << (lists - 1), 0);
    for (std::size_t p = 1; p < table.counts.size(); ++p) {
      std::size_t reduced = 0;
      int bit = 0;
      for (int j = 0; j < lists; ++j) {
        if (j == left) continue;
        reduced |= ((p >> j) & 1U) << bit++;
      }
      if ((p >> left) & 1U) {
        result.saw += table.counts[p];
        if (reduced == 0) result.only_this += table.counts[p];
      }
      if (reduced != 0) others.counts[reduced] += table.counts[p];
    }
    result.others_saw = others.observed();
    const CaptureTable used = without_empty_lists(others);
    if (used.list_count() < 2) {
      result.status = "fewer than 2 of the other lists saw anyone";
    } else if (const auto fitted = select(used); !fitted) {
      result.status = fitted.error().message;
    } else if (fitted->status != FitStatus::kOk) {
      result.status = fitted->message;
    } else {
      result.status = "ok";
      result.others_total = fitted->total;
      result.predicted_only_this =
          static_cast<double>(result.saw) * (1 - static_cast<double>(result.others_saw) / fitted->total);
    }
    results.push_back(std::move(result));
  }
  return results;
}

}  // namespace rapporteur::mse
