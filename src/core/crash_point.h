// A test hook for crash safety. When the environment variable RAPPORTEUR_CRASH_AT holds a
// number N > 0, the N-th call of crash_point() in this process kills the process with SIGKILL,
// as a power cut or `kill -9` would at that moment; tests run an operation with N = 1, 2, ...
// and check what a restart finds. Without the variable it does nothing (one relaxed atomic
// increment). Thread safety: may be called from any thread.
#pragma once

namespace rapporteur {

void crash_point();

}  // namespace rapporteur
