// Disclosure control of the five-dimensional monitor table (year x municipality -> police
// unit -> country x form x sex x age group) built from the demo world: protection time,
// suppressions and audit time. Anchor, measured in the same run: the audit of the same
// pattern without batched certification (two linear programmes per suppressed cell, as
// tau-ARGUS's audit solves them).
#include <chrono>
#include <cstdio>
#include <filesystem>

#include <fmt/format.h>

#include "demo/demo.h"
#include "intake/pseudonym.h"
#include "sdc/sdc.h"
#include "store/store.h"
#include "tables/tables.h"

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

int main() {
  const auto folder = std::filesystem::temp_directory_path() / fmt::format("sdc_bench_{}", ::getpid());
  std::filesystem::create_directories(folder);
  auto store = rapporteur::store::open_sqlite_store(folder / "bench.db");
  const auto world = rapporteur::demo::generate_world({.seed = 2026});
  if (!store || !world) return 1;
  std::array<std::uint8_t, 32> bytes{};
  for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<std::uint8_t>(i * 7 + 1);
  const auto loaded = rapporteur::demo::load_world(*world, **store, rapporteur::intake::PseudonymKey::from_bytes(bytes),
                                                   {.extracts_folder = folder / "extracts",
                                                    .profiles_folder = RAPPORTEUR_SOURCE_DIR "/profiles"});
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
    return 1;
  }
  const auto spec = rapporteur::tables::read_spec(RAPPORTEUR_SOURCE_DIR "/tables/victims-5d.toml");
  if (!spec) return 1;
  auto start = Clock::now();
  const auto built = rapporteur::tables::build(**store, *spec, rapporteur::tables::exact_keys());
  const double build_time = seconds_since(start);
  if (!built) return 1;
  std::int64_t empty = 0;
  for (const auto v : built->table.values) empty += v == 0 ? 1 : 0;
  const rapporteur::sdc::Problem problem{{built->table}, spec->rule, {}};
  start = Clock::now();
  const auto protection = rapporteur::sdc::protect(problem);
  const double protect_time = seconds_since(start);
  if (!protection) {
    std::fprintf(stderr, "%s\n", protection.error().message.c_str());
    return 1;
  }
  const rapporteur::sdc::Attacker attacker = rapporteur::sdc::attacker_for(spec->rule);
  start = Clock::now();
  const auto audited = rapporteur::sdc::audit(problem, protection->status, attacker);
  const double audit_time = seconds_since(start);
  if (!audited) {
    std::fprintf(stderr, "%s\n", audited.error().message.c_str());
    return 1;
  }
  // The anchor: what tau-ARGUS's audit does, two programmes per suppressed cell over all
  // relations of the whole table (no batching, no level reduction). Only the first cell's are
  // timed, with a limit: the unbatched audit needs 2 x the suppressed cells of them.
  const std::int64_t suppressed = protection->primary_cells + protection->secondary_cells;
  constexpr double kAnchorLimit = 600;
  start = Clock::now();
  const auto anchor = rapporteur::sdc::audit(
      problem, protection->status, attacker,
      {.batched_programmes = 0, .sample_every = static_cast<std::size_t>(suppressed) + 1, .reduce_levels = false,
       .programme_seconds = kAnchorLimit});
  const double anchor_time = seconds_since(start);
  const bool anchor_finished = anchor.has_value();
  fmt::print("5-D table: {} cells ({} empty), built in {:.2f} s\n", built->table.values.size(), empty, build_time);
  fmt::print("protection: {:.2f} s; {} primary and {} secondary suppressions ({} units), {} linear programmes\n", protect_time,
             protection->primary_cells, protection->secondary_cells, protection->secondary_units,
             protection->linear_programmes);
  fmt::print("audit: {:.2f} s ({} batched + {} exact programmes), {} violations\n", audit_time, audited->batched_lps,
             audited->exact_lps, audited->violations);
  fmt::print("anchor, an audit without batching or level reduction: the first of its {} programmes over the whole "
             "table {} {:.1f} s; our whole audit / that one programme: {}{:.4f}\n",
             2 * suppressed, anchor_finished ? "took" : "did not finish within", anchor_time,
             anchor_finished ? "" : "at most ", audit_time / anchor_time);
  std::filesystem::remove_all(folder);
  return audited->passed() ? 0 : 1;
}
