#include "linkage/dice.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cassert>
#include <cmath>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
// GCC 12's _mm512_reduce_add_epi64 starts from _mm512_undefined (GCC bug 105593): a false
// uninitialised warning wherever it is inlined.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#if !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define RAPPORTEUR_X86_KERNELS 1
#endif

namespace rapporteur::linkage {
namespace {

static_assert(kBloomWords == 16, "the AVX-512 kernel loads a filter as two 512-bit halves");

using CommonFn = std::uint32_t (*)(const std::uint64_t* a, const std::uint64_t* b);
using ScanFn = void (*)(const std::uint64_t* query, std::uint32_t query_ones, const BloomArray& array, double threshold,
                        std::vector<DiceMatch>& matches, DiceScanCount& count);

// Per number of set bits m of a filter, the common bits a pair with the query (n set bits)
// needs to reach the threshold: 2 c >= t (n + m). Filters that cannot get there even when
// one filter holds the other (c = min(n, m): the length bound) or that are missing get an
// impossible need, so the scan tests one integer per filter.
struct Needs {
  std::array<std::uint32_t, kBloomWords * 64 + 1> need{};
  static constexpr std::uint32_t kNever = 0xffffffffU;

  Needs(std::uint32_t n, double threshold) {
    for (std::uint32_t m = 0; m < need.size(); ++m) {
      const double required = threshold * static_cast<double>(n + m) / 2.0;
      auto c = static_cast<std::uint32_t>(std::ceil(required - 1e-9));
      need[m] = m == 0 || c > std::min(n, m) ? kNever : c;
    }
  }
};

// The scan loop shared by the kernels; always inlined, so that it takes the instruction set
// of the kernel it is inlined into.
template <typename Common>
__attribute__((always_inline)) inline void scan_with(Common common, const std::uint64_t* query,
                                                     std::uint32_t query_ones, const BloomArray& array,
                                                     double threshold, std::vector<DiceMatch>& matches,
                                                     DiceScanCount& count) {
  const Needs needs(query_ones, threshold);
  const std::size_t n = array.size();
  const std::uint64_t* words = array.words(0);
  const std::uint32_t* ones = array.ones_data();
  std::int64_t compared = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t need = needs.need[ones[i]];
    if (need == Needs::kNever) continue;
    ++compared;
    const std::uint32_t both = common(query, words + i * kBloomWords);
    if (both >= need) {
      matches.push_back({static_cast<std::uint32_t>(i), 2.0 * both / static_cast<double>(query_ones + ones[i])});
    }
  }
  count.compared += compared;
  count.skipped += static_cast<std::int64_t>(n) - compared;
}

// Portable: std::popcount compiled for the baseline instruction set (a bit-twiddling sequence).
std::uint32_t common_portable(const std::uint64_t* a, const std::uint64_t* b) {
  std::uint32_t both = 0;
  for (std::size_t w = 0; w < kBloomWords; ++w) both += static_cast<std::uint32_t>(std::popcount(a[w] & b[w]));
  return both;
}

void scan_portable(const std::uint64_t* query, std::uint32_t query_ones, const BloomArray& array, double threshold,
                   std::vector<DiceMatch>& matches, DiceScanCount& count) {
  scan_with(common_portable, query, query_ones, array, threshold, matches, count);
}

#ifdef RAPPORTEUR_X86_KERNELS
__attribute__((target("popcnt"))) inline std::uint32_t common_popcnt_inline(const std::uint64_t* a,
                                                                            const std::uint64_t* b) {
  std::uint64_t both = 0;
  for (std::size_t w = 0; w < kBloomWords; ++w) both += static_cast<std::uint64_t>(__builtin_popcountll(a[w] & b[w]));
  return static_cast<std::uint32_t>(both);
}

__attribute__((target("popcnt"))) std::uint32_t common_popcnt(const std::uint64_t* a, const std::uint64_t* b) {
  return common_popcnt_inline(a, b);
}

__attribute__((target("popcnt"))) void scan_popcnt(const std::uint64_t* query, std::uint32_t query_ones,
                                                   const BloomArray& array, double threshold,
                                                   std::vector<DiceMatch>& matches, DiceScanCount& count) {
  scan_with(common_popcnt_inline, query, query_ones, array, threshold, matches, count);
}

__attribute__((target("avx512f,avx512vpopcntdq"))) std::uint32_t common_avx512(const std::uint64_t* a,
                                                                               const std::uint64_t* b) {
  const __m512i low = _mm512_and_si512(_mm512_loadu_si512(a), _mm512_loadu_si512(b));
  const __m512i high = _mm512_and_si512(_mm512_loadu_si512(a + 8), _mm512_loadu_si512(b + 8));
  const __m512i counts = _mm512_add_epi64(_mm512_popcnt_epi64(low), _mm512_popcnt_epi64(high));
  return static_cast<std::uint32_t>(_mm512_reduce_add_epi64(counts));
}

// scan_with's loop written out: the query's halves stay in registers across the scan.
__attribute__((target("avx512f,avx512vpopcntdq"))) void scan_avx512(const std::uint64_t* query,
                                                                    std::uint32_t query_ones, const BloomArray& array,
                                                                    double threshold, std::vector<DiceMatch>& matches,
                                                                    DiceScanCount& count) {
  const Needs needs(query_ones, threshold);
  const __m512i q_low = _mm512_loadu_si512(query);
  const __m512i q_high = _mm512_loadu_si512(query + 8);
  const std::size_t n = array.size();
  const std::uint64_t* words = array.words(0);
  const std::uint32_t* ones = array.ones_data();
  std::int64_t compared = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t need = needs.need[ones[i]];
    if (need == Needs::kNever) continue;
    ++compared;
    const std::uint64_t* x = words + i * kBloomWords;
    const __m512i low = _mm512_popcnt_epi64(_mm512_and_si512(q_low, _mm512_loadu_si512(x)));
    const __m512i high = _mm512_popcnt_epi64(_mm512_and_si512(q_high, _mm512_loadu_si512(x + 8)));
    const auto both = static_cast<std::uint32_t>(_mm512_reduce_add_epi64(_mm512_add_epi64(low, high)));
    if (both >= need) {
      matches.push_back({static_cast<std::uint32_t>(i), 2.0 * both / static_cast<double>(query_ones + ones[i])});
    }
  }
  count.compared += compared;
  count.skipped += static_cast<std::int64_t>(n) - compared;
}
#pragma GCC diagnostic pop
#endif

struct Kernel {
  CommonFn common;
  ScanFn scan;
  std::string_view name;
};

constexpr Kernel kPortableKernel{common_portable, scan_portable, "portable"};

Kernel resolve(DiceKernel wanted) {
#ifdef RAPPORTEUR_X86_KERNELS
  __builtin_cpu_init();
  const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq");
  const bool popcnt = __builtin_cpu_supports("popcnt");
  if ((wanted == DiceKernel::kBest || wanted == DiceKernel::kAvx512) && avx512) {
    return {common_avx512, scan_avx512, "avx512-vpopcntdq"};
  }
  if ((wanted == DiceKernel::kBest || wanted == DiceKernel::kPopcnt) && popcnt) {
    return {common_popcnt, scan_popcnt, "popcnt"};
  }
#else
  (void)wanted;
#endif
  return kPortableKernel;
}

// Resolved once when the library loads, so that a comparison pays no initialisation guard.
const Kernel kBestKernel = resolve(DiceKernel::kBest);
const Kernel kAvx512Kernel = resolve(DiceKernel::kAvx512);
const Kernel kPopcntKernel = resolve(DiceKernel::kPopcnt);

const Kernel& kernel_for(DiceKernel wanted) {
  switch (wanted) {
    case DiceKernel::kBest:
      return kBestKernel;
    case DiceKernel::kAvx512:
      return kAvx512Kernel;
    case DiceKernel::kPopcnt:
      return kPopcntKernel;
    case DiceKernel::kPortable:
      return kPortableKernel;
  }
  return kPortableKernel;
}

}  // namespace

std::string_view best_dice_kernel() { return kernel_for(DiceKernel::kBest).name; }

std::uint32_t common_bits(const BloomBits& a, const BloomBits& b) {
  return kBestKernel.common(a.words.data(), b.words.data());
}

void BloomArray::reserve(std::size_t filters) {
  words_.reserve(filters * kBloomWords);
  ones_.reserve(filters);
}

void BloomArray::push_back(const BloomBits& bits) {
  words_.insert(words_.end(), bits.words.begin(), bits.words.end());
  ones_.push_back(bits.ones);
}

DiceScanCount dice_scan(const BloomBits& query, const BloomArray& array, double threshold,
                        std::vector<DiceMatch>& matches, DiceKernel kernel) {
  assert(threshold > 0 && threshold <= 1 && "a Dice threshold in (0, 1]");
  DiceScanCount count;
  if (query.ones == 0) {
    count.skipped = static_cast<std::int64_t>(array.size());
    return count;
  }
  kernel_for(kernel).scan(query.words.data(), query.ones, array, threshold, matches, count);
  return count;
}

}  // namespace rapporteur::linkage
