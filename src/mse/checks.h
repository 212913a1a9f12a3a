// Checks that go with an estimate: warnings about the data, disagreement between methods, and
// the leave-one-list-out internal-consistency check. Pure computation.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "mse/mse.h"

namespace rapporteur::mse {

// Plain-language warnings about `table` that hold for every method: a list that saw fewer than
// `sparse_below` people, and every pair of lists that never share a person (models then rest on
// the extended MLE or on a prior for that pair). Empty when there is nothing to say.
std::vector<std::string> data_warnings(const CaptureTable& table, std::int64_t sparse_below = 5);

// One method's answer, as the caller computed it.
struct MethodEstimate {
  std::string method;
  double total = 0;
  double low = 0;
  double high = 0;
};

// A warning when the largest total exceeds the smallest by more than `factor` (naming both
// methods), and one when two methods' intervals do not overlap; empty otherwise.
std::vector<std::string> compare_methods(const std::vector<MethodEstimate>& estimates, double factor = 1.5);

// The internal-consistency check: leave list L out, estimate the total from the others with
// `select`, and predict how many of L's people the others missed, had L sampled the population
// at random: saw_L x (1 - n_others / N_others). Unmodelled heterogeneity makes the others'
// estimate fall short, so the prediction falls below the count observed only on L.
struct LeftOutList {
  std::string list;
  std::int64_t saw = 0;            // People list L saw.
  std::int64_t only_this = 0;      // Of them, seen by no other list.
  std::int64_t others_saw = 0;     // People the other lists saw.
  double others_total = 0;         // The estimate from the other lists.
  double predicted_only_this = 0;  // saw x (1 - others_saw / others_total).
  std::string status;              // "ok", or why no estimate was made.
};

// Fails with kInvalidArgument for fewer than 3 lists. A list whose removal leaves no estimable
// model gets its reason in `status` and the other lists go on.
Result<std::vector<LeftOutList>> leave_one_list_out(const CaptureTable& table, const Selection& select);

}  // namespace rapporteur::mse
