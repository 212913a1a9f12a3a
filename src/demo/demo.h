// The demo world: a deterministic synthetic population of victims and suspects under both
// mandates, registered (or not) by six sources with person-level chances, calibrated on
// published Dutch figures (shared/data/nl_figures.json). Contains no real personal data.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/domain.h"
#include "core/result.h"
#include "store/store.h"

namespace rapporteur::demo {

struct WorldOptions {
  std::uint64_t seed = 2026;
  int first_year = 2019;
  int last_year = 2023;
};

// The true size of one victim stratum in one year, and how many of its people at least one
// source registered. Strata: classification (exploitation form or offence type), sex, and
// "minor" or "adult" at registration.
struct TruthCell {
  int year = 0;
  Mandate mandate = Mandate::kHumanTrafficking;
  std::string classification;
  Sex sex = Sex::kUnknown;
  std::string age_group;
  std::int64_t true_count = 0;
  std::int64_t registered = 0;
};

struct World {
  WorldOptions options;
  std::vector<Source> sources;
  std::vector<Region> regions;  // Parents before children.
  std::vector<RegionPopulation> populations;
  std::vector<Registration> registrations;
  std::vector<Publication> publications;
  std::vector<Recommendation> recommendations;
  std::vector<TruthCell> truth;  // Victims only, ordered by year, mandate and stratum.
};

// Generates the world for `options`; the same options give the identical world on every run
// and machine. Fails with kInvalidArgument when the year range is empty or outside 2015..2030.
Result<World> generate_world(const WorldOptions& options);

// Writes the world's sources, regions, populations, registrations, publications and
// recommendations to `store` in one transaction, and records the seed as instance setting
// "demo_seed". Fails with kConflict when the store already holds registrations.
Result<void> load_world(const World& world, store::Store& store);

// Returns the truth as JSON: seed, years, and per year and mandate the true and registered
// totals with their strata. It never enters the store, only a separate file.
std::string truth_json(const World& world);

}  // namespace rapporteur::demo
