// Exhaustive two-list model search on a six-list table (32,768 models) and a stepwise search,
// against the anchor: the same Poisson GLM fits by a statsmodels loop in the same run. The
// anchor fits a sample of the models and is scaled to all of them (the per-model time of a
// GLM loop does not depend on which models are fitted first).
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <optional>
#include <sstream>

#include <fmt/format.h>

#include "mse/mse.h"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// A capture table from the shared data; nothing when it cannot be read.
std::optional<rapporteur::mse::CaptureTable> read_table(const std::string& data, const char* name) {
  std::ifstream file(data + name);
  std::stringstream text;
  text << file.rdbuf();
  auto table = rapporteur::mse::parse_capture_table(text.str(), name);
  if (!table) return std::nullopt;
  return std::move(*table);
}

}  // namespace

int main() {
  const std::string data = RAPPORTEUR_SHARED_DATA "/mse/";
  constexpr int kAnchorModels = 512;
  for (const char* name : {"Ned.csv", "UKdat.csv"}) {
    const auto table = read_table(data, name);
    if (!table) return 1;

    auto start = Clock::now();
    const auto exhaustive = rapporteur::mse::exhaustive_search(*table, rapporteur::mse::Criterion::kBic, 2);
    const double ours = seconds_since(start);
    start = Clock::now();
    const auto stepwise = rapporteur::mse::stepwise_search(*table, rapporteur::mse::Criterion::kBic);
    const double ours_stepwise = seconds_since(start);
    if (!exhaustive || !stepwise) return 1;

    const std::string command = fmt::format("/usr/bin/python3 '{}/bench/statsmodels_search.py' '{}{}' {}",
                                            RAPPORTEUR_SOURCE_DIR, data, name, kAnchorModels);
    FILE* pipe = popen(command.c_str(), "r");
    double anchor_sample = 0;
    if (!pipe || std::fscanf(pipe, "%lf", &anchor_sample) != 1 || pclose(pipe) != 0) {
      std::fprintf(stderr, "the statsmodels anchor failed (python3-statsmodels installed?)\n");
      return 1;
    }
    const double anchor = anchor_sample / kAnchorModels * static_cast<double>(exhaustive->models.size());
    fmt::print(
        "{}: exhaustive search of {} models: {:.3f} s (target < 1 s); anchor statsmodels loop: "
        "{:.2f} s for {} models, {:.1f} s scaled to all; ratio {:.4f}\n",
        name, exhaustive->models.size(), ours, anchor_sample, kAnchorModels, anchor, ours / anchor);
    fmt::print("{}: stepwise search ({} fits): {:.3f} s; best BIC total {:.0f}\n", name, stepwise->models.size(),
               ours_stepwise, stepwise->models.front().total);
  }
  // Stepwise BIC with 1,000 BCa bootstrap replicates, the selection redone in each; the anchor
  // is the statsmodels per-fit time measured above times the number of fits our run made.
  for (const char* name : {"Western.csv", "UKdat_5.csv"}) {
    const auto table = read_table(data, name);
    if (!table) return 1;
    std::atomic<long> fits{0};
    const rapporteur::mse::Selection select =
        [&](const rapporteur::mse::CaptureTable& t) -> rapporteur::Result<rapporteur::mse::FitResult> {
      auto searched = rapporteur::mse::stepwise_search(t, rapporteur::mse::Criterion::kBic);
      if (!searched) return tl::unexpected(searched.error());
      fits += static_cast<long>(searched->models.size());
      return searched->models.front();
    };
    const auto chosen = *select(*table);
    fits = 0;
    auto start = Clock::now();
    const auto result =
        rapporteur::mse::bootstrap(*table, select, chosen, {.replicates = 1000, .seed = 1, .threads = 2});
    const double ours = seconds_since(start);
    if (!result) return 1;
    const std::string command = fmt::format("/usr/bin/python3 '{}/bench/statsmodels_search.py' '{}{}' {}",
                                            RAPPORTEUR_SOURCE_DIR, data, name, kAnchorModels);
    FILE* pipe = popen(command.c_str(), "r");
    double anchor_sample = 0;
    if (!pipe || std::fscanf(pipe, "%lf", &anchor_sample) != 1 || pclose(pipe) != 0) return 1;
    const double anchor = anchor_sample / kAnchorModels * static_cast<double>(fits.load());
    fmt::print(
        "{}: stepwise BIC + 1,000 BCa replicates ({} fits): {:.2f} s, BCa {:.0f} to {:.0f}; anchor "
        "statsmodels at {:.2f} ms per fit: {:.1f} s; ratio {:.4f}\n",
        name, fits.load(), ours, result->bca_low, result->bca_high, anchor_sample / kAnchorModels * 1e3, anchor,
        ours / anchor);
  }
  return 0;
}
