// Linkage measured on the demo world against its record-level truth: pairwise precision,
// recall and F1, persons found against true persons, and the MSE estimate on the linked
// overlap table against the estimate on the true overlap table and the true population.
#pragma once

#include <cstdint>

#include "app/linkage.h"
#include "core/result.h"
#include "demo/demo.h"
#include "linkage/evaluation.h"
#include "mse/selection.h"
#include "store/store.h"

namespace rapporteur::app {

struct DemoLinkageScore {
  LinkageMethod method = LinkageMethod::kProbabilistic;
  linkage::PairwiseScore pairs;
  std::int64_t registrations = 0;
  std::int64_t persons = 0;          // Found by the linkage.
  std::int64_t true_persons = 0;     // Distinct demo persons behind the registrations.
  double estimate_linked = 0;        // MSE total on the linked table (all strata together).
  double estimate_true_table = 0;    // MSE total on the true overlap table.
  std::int64_t true_population = 0;  // Victims only: the truth's true count; 0 for suspects.
};

// Links `request` from `store` (which holds `world` as demo::load_world loaded it) and scores
// it against the world's truth; the estimates use mse::select_and_estimate with `selection`.
// Fails as run_linkage, demo::stored_record_persons and the estimation do.
Result<DemoLinkageScore> score_demo_linkage(const demo::World& world, store::Store& store,
                                            const LinkageRequest& request, const mse::SelectionOptions& selection);

}  // namespace rapporteur::app
