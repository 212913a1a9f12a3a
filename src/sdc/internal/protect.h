// The suppression's single run (suppress.cpp), which protect() improves on (improve.cpp).
#pragma once

#include "sdc/sdc.h"

namespace rapporteur::sdc::internal {

// One protection: primary cells, the grown pattern, the release pass. Fails as protect().
Result<Protection> protect_once(const Problem& problem);

}  // namespace rapporteur::sdc::internal
