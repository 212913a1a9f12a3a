// Linkage of the demo world's six sources measured against the world's record-level truth:
// deterministic exact-key linkage (the anchor: what the estimate used before issue 16) beside
// probabilistic linkage, in the same run on the same store. Per year, mandate and role:
// pairwise precision, recall and F1, persons found against true persons, and the MSE
// estimate (BIC-selected, all strata together) on the linked overlap table against the
// estimate on the true overlap table and, for victims, the true population.
//
//   demo_linkage_bench [first_year [last_year]]     (default 2019 2023, the demo's default)
#include <unistd.h>
#include <chrono>
#include <cstdio>

#include <array>
#include <cstdlib>
#include <filesystem>

#include <fmt/format.h>

#include "app/linkage_evaluation.h"
#include "demo/demo.h"
#include "intake/pseudonym.h"
#include "store/store.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace rapporteur;  // A bench driver, not library code.

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

int main(int argc, char** argv) {
  const int first_year = argc > 1 ? std::atoi(argv[1]) : 2019;
  const int last_year = argc > 2 ? std::atoi(argv[2]) : first_year == 2019 ? 2023 : first_year;
  const auto folder = std::filesystem::temp_directory_path() / fmt::format("demo_linkage_bench_{}", ::getpid());
  std::filesystem::create_directories(folder);
  auto world = demo::generate_world({.first_year = first_year, .last_year = last_year});
  auto store = store::open_sqlite_store(folder / "demo.db");
  if (!world || !store) {
    std::fprintf(stderr, "cannot set up the demo world\n");
    return 1;
  }
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = 1;
  const auto key = intake::PseudonymKey::from_bytes(bytes);
  const auto loaded =
      demo::load_world(*world, **store, key,
                       {.extracts_folder = folder / "extracts", .profiles_folder = RAPPORTEUR_SOURCE_DIR "/profiles"});
  if (!loaded) {
    std::fprintf(stderr, "%s\n", loaded.error().message.c_str());
    return 1;
  }
  fmt::print(
      "year mandate role method: P R F1 | persons/true (diff) | MSE linked / true table (diff) | true population | "
      "s\n");
  for (int year = first_year; year <= last_year; ++year) {
    for (const char* mandate : {"human_trafficking", "sexual_violence_against_children"}) {
      for (const char* role : {"victim", "suspect"}) {
        for (const auto method : {app::LinkageMethod::kDeterministic, app::LinkageMethod::kProbabilistic}) {
          const auto started = Clock::now();
          const auto s = app::score_demo_linkage(
              *world, **store, {.year = year, .mandate = mandate, .role = role, .method = method}, {});
          const double seconds = seconds_since(started);
          if (!s) {
            fmt::print("{} {} {} {}: {}\n", year, mandate, role, app::to_code(method), s.error().message);
            continue;
          }
          fmt::print(
              "{} {} {} {}: P {:.4f} R {:.4f} F1 {:.4f} | {}/{} ({:+.1f}%) | {:.0f} / {:.0f} ({:+.1f}%) | {} | "
              "{:.2f}\n",
              year, mandate, role, app::to_code(s->method), s->pairs.precision, s->pairs.recall, s->pairs.f1,
              s->persons, s->true_persons,
              100.0 * static_cast<double>(s->persons - s->true_persons) / static_cast<double>(s->true_persons),
              s->estimate_linked, s->estimate_true_table,
              100.0 * (s->estimate_linked - s->estimate_true_table) / s->estimate_true_table, s->true_population,
              seconds);
        }
      }
    }
  }
  store->reset();
  std::filesystem::remove_all(folder);
  return 0;
}
