// Probabilistic linkage on the public sets with truth (FEBRL4, RLdata10000), beside two
// anchors measured in the same run on the same encoded records: exact-key linkage (records
// sharing the keyed first name, last name and date of birth are one person, what
// src/linkage did before) and a plain loop of Dice comparisons over the candidate count.
// The published anchor is recordlinkage's ECM on FEBRL4: F1 0.993 in 4.3 s on this machine
// (../shared/reference/linkage.md, section 3).
#include <chrono>
#include <cstdio>
#include <ctime>
#include <unordered_map>

#include <fmt/format.h>

#include "linkage/evaluation.h"
#include "linkage/probabilistic.h"
#include "linkage/public_sets.h"  // tests/linkage

namespace {

using Clock = std::chrono::steady_clock;
using rapporteur::linkage::PairwiseScore;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// CPU time of the process (all threads): on a shared machine the wall time says more about
// the other jobs than about this one.
double process_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

std::string score(const PairwiseScore& s) {
  return fmt::format("P {:.4f} R {:.4f} F1 {:.4f}", s.precision, s.recall, s.f1);
}

// Exact-key linkage: one cluster per distinct (first name, last name, date) key.
std::vector<std::uint32_t> exact_key_clusters(const rapporteur::linkage::RecordSet& records) {
  std::unordered_map<std::uint64_t, std::uint32_t> cluster_of;
  std::vector<std::uint32_t> cluster(records.size());
  std::uint32_t next = 0;
  for (std::uint32_t r = 0; r < records.size(); ++r) {
    const auto& d = records.date(r, 2);
    std::uint64_t k =
        records.name_key(r, 0) * 0x9e3779b97f4a7c15ULL ^ records.name_key(r, 1) * 31 ^ d.year * 7 ^ d.month * 3 ^ d.day;
    if (records.name_key(r, 0) == 0 || records.name_key(r, 1) == 0 || d.year == 0) k = 0x8000000000000000ULL | r;
    const auto [it, added] = cluster_of.emplace(k, next);
    if (added) ++next;
    cluster[r] = it->second;
  }
  return cluster;
}

void run(const char* label, rapporteur::testing::PublicSet set) {
  const auto anchor_start = Clock::now();
  const auto exact = exact_key_clusters(set.records);
  const double anchor_seconds = seconds_since(anchor_start);

  const auto start = Clock::now();
  const double cpu_start = process_cpu_seconds();
  const auto result = rapporteur::linkage::link_records(set.records, set.options);
  const double seconds = seconds_since(start);
  const double cpu_seconds = process_cpu_seconds() - cpu_start;
  if (!result) {
    fmt::print("{}: failed: {}\n", label, result.error().message);
    return;
  }

  // Dice rate: the candidate pairs' first-name filters, compared in a plain loop.
  const auto dice_start = Clock::now();
  double sink = 0;
  const auto n = static_cast<std::uint32_t>(set.records.size());
  std::int64_t dice_count = 0;
  for (int round = 0; round < 20; ++round) {
    for (std::uint32_t a = 0; a + 1 < n; a += 1) {
      sink += rapporteur::linkage::dice(set.records.bloom(a, 0), set.records.bloom((a * 7919U + round) % n, 0));
      ++dice_count;
    }
  }
  const double dice_seconds = seconds_since(dice_start);

  const auto clusters = rapporteur::linkage::score_clusters(result->cluster, set.entity);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> linked;
  for (const auto& l : result->links) linked.emplace_back(l.a, l.b);
  std::vector<std::pair<std::uint32_t, std::uint32_t>> truth;
  {
    std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> members;
    for (std::uint32_t r = 0; r < n; ++r) members[set.entity[r]].push_back(r);
    for (const auto& [e, m] : members) {
      for (std::size_t i = 0; i < m.size(); ++i) {
        for (std::size_t j = i + 1; j < m.size(); ++j) {
          if (set.options.scope == rapporteur::linkage::PairScope::kAllPairs ||
              set.records.source(m[i]) != set.records.source(m[j])) {
            truth.emplace_back(m[i], m[j]);
          }
        }
      }
    }
  }
  const auto pairwise = rapporteur::linkage::score_pairs(linked, truth);
  fmt::print("{} ({} records; intake encoding {:.3f} s, not timed below)\n", label, set.records.size(),
             set.encode_seconds);
  fmt::print("  probabilistic: {:.3f} s ({:.3f} s CPU)  clusters {}  links {}  candidates {}  EM {} it\n", seconds,
             cpu_seconds, score(clusters), result->links.size(), result->candidate_pairs, result->model.em_iterations);
  fmt::print("                 links before clustering: {}; rejected weak bridges {}, same-source {}\n",
             score(pairwise), result->rejected_weak_bridges, result->rejected_same_source);
  fmt::print("  anchor exact-key: {:.4f} s  clusters {}\n", anchor_seconds,
             score(rapporteur::linkage::score_clusters(exact, set.entity)));
  fmt::print("  anchor Dice loop: {:.1f} M comparisons/s ({})\n", static_cast<double>(dice_count) / dice_seconds / 1e6,
             sink > 0 ? "ok" : "-");
  for (const auto& b : result->blocking) {
    fmt::print("  block {:<24} pairs {:>8}  new {:>8}  oversized blocks {}\n", b.rule, b.pairs, b.new_pairs,
               b.oversized_blocks);
  }
  fmt::print("  prior {:.4f}", result->model.prior);
  for (const auto& f : result->model.fields) {
    fmt::print("  {} m/u top {:.3f}/{:.5f}", f.name, f.m.back(), f.u.back());
  }
  fmt::print("\n");
}

}  // namespace

int main() {
  const std::string data = RAPPORTEUR_SHARED_DATA "/linkage/";
  using rapporteur::testing::WithSocialSecurityId;
  run("FEBRL4 without soc_sec_id", rapporteur::testing::load_febrl4(data + "febrl", WithSocialSecurityId::kNo));
  run("FEBRL4 with soc_sec_id", rapporteur::testing::load_febrl4(data + "febrl", WithSocialSecurityId::kYes));
  run("RLdata10000", rapporteur::testing::load_rldata(data + "rldata/RLdata10000_with_identity.csv"));
  return 0;
}
