// The suppression's single run (suppress.cpp), which protect() improves on (improve.cpp).
#pragma once

#include "sdc/sdc.h"

namespace rapporteur::sdc::internal {

// One protection: primary cells, the grown pattern, the release pass. Fails as protect().
Result<Protection> protect_once(const Problem& problem);

// After the whole-level route (margins.cpp): publishes, one at a time, safe cells of the
// levels between the total and a finest level suppressed whole, each only if the audit still
// passes; returns how many. One table only; `status` is its pattern.
std::int64_t release_margins(const Problem& problem, std::vector<Status>& status);

}  // namespace rapporteur::sdc::internal
