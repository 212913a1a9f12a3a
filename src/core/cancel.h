// Stopping long computations early: a flag the one who asks sets and the work checks between
// steps, and a way for the work to say how far it is.
#pragma once

#include <atomic>
#include <functional>

namespace rapporteur {

// Set once by whoever wants the work to stop; read by the work between its steps (a bootstrap
// replicate, a few hundred sampler iterations). Thread safety: any thread may call either.
class Cancellation {
 public:
  void cancel() { requested_.store(true, std::memory_order_relaxed); }
  bool requested() const { return requested_.load(std::memory_order_relaxed); }

 private:
  std::atomic<bool> requested_{false};
};

// True when `cancellation` is given and has been requested.
inline bool cancel_requested(const Cancellation* cancellation) {
  return cancellation != nullptr && cancellation->requested();
}

// Called by long work with the fraction done, 0 to 1, from any of its threads; null: nobody
// listens. The callee must be thread safe.
using ProgressCallback = std::function<void(double fraction)>;

}  // namespace rapporteur
