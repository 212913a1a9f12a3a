// GLPK's library state is shared by every problem in the process: the suppression's repair
// (suppress.cpp) and the audit (audit.cpp) solve under this one lock.
#pragma once

#include <mutex>

namespace rapporteur::sdc::internal {

inline std::mutex& glpk_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace rapporteur::sdc::internal
