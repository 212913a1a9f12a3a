// Dice coefficients of Bloom-filter encodings at scale: filters stored as a struct of arrays
// (words contiguous, popcounts apart), one filter compared against many with a length bound
// that skips pairs which cannot reach the threshold, and a popcount kernel chosen once at run
// time for the processor (AVX-512 VPOPCNTQ, the POPCNT instruction, or portable code).
// Pure computation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "linkage/probabilistic.h"

namespace rapporteur::linkage {

// How common bits are counted. kBest is the fastest the processor supports; the others force
// one kernel (kAvx512 and kPopcnt fall back to kPortable where the processor lacks them).
enum class DiceKernel { kBest, kAvx512, kPopcnt, kPortable };

// The kernel kBest resolves to on this processor: "avx512-vpopcntdq", "popcnt" or "portable".
std::string_view best_dice_kernel();

// |a and b|: the bits two encodings share, with the kBest kernel.
std::uint32_t common_bits(const BloomBits& a, const BloomBits& b);

// Bloom filters column by column: filter i's kBloomWords words are contiguous, its number of
// set bits in a separate array, so a scan streams through memory. Thread-compatible.
class BloomArray {
 public:
  void reserve(std::size_t filters);
  void push_back(const BloomBits& bits);
  std::size_t size() const { return ones_.size(); }
  const std::uint64_t* words(std::size_t filter) const { return words_.data() + filter * kBloomWords; }
  std::uint32_t ones(std::size_t filter) const { return ones_[filter]; }
  const std::uint32_t* ones_data() const { return ones_.data(); }

 private:
  std::vector<std::uint64_t> words_;
  std::vector<std::uint32_t> ones_;
};

struct DiceMatch {
  std::uint32_t filter = 0;  // Index into the array.
  double dice = 0;
};

struct DiceScanCount {
  std::int64_t compared = 0;  // Filters whose common bits were counted.
  std::int64_t skipped = 0;   // Filters the length bound ruled out (or missing: no set bits).
};

// Appends to `matches` every filter of `array` whose Dice coefficient with `query` reaches
// `threshold` (in (0, 1]), in array order. A filter whose number of set bits m cannot reach it
// against the query's n (2 min(n, m) / (n + m) < threshold) is skipped uncounted. A missing
// query (no set bits) matches nothing.
DiceScanCount dice_scan(const BloomBits& query, const BloomArray& array, double threshold,
                        std::vector<DiceMatch>& matches, DiceKernel kernel = DiceKernel::kBest);

}  // namespace rapporteur::linkage
