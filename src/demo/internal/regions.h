// Dutch regional units for the demo world: police units and a selection of real
// municipalities with their CBS codes.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace rapporteur::demo::internal {

struct PoliceUnitInfo {
  std::string_view code;  // RE01..RE10, in the order of shared/data/nl_regions.md section 2.
  std::string_view name;
  std::int64_t population_2022;
};

struct MunicipalityInfo {
  std::string_view code;  // CBS gemeentecode.
  std::string_view name;
  std::string_view police_unit_code;
  std::int64_t population_2022;  // Rounded approximation, used as a weight and denominator.
};

std::span<const PoliceUnitInfo> police_units();
std::span<const MunicipalityInfo> municipalities();

// Population of the Netherlands on 1 January (CBS, from shared/data/nl_figures.json; 2016 and
// 2017 interpolated there being no figure). Returns 0 outside 2015..2030.
std::int64_t national_population(int year);

}  // namespace rapporteur::demo::internal

namespace rapporteur::demo {
struct World;
}

namespace rapporteur::demo::internal {

// Adds the country, the police units and the municipalities to `world.regions` (parents
// before children) and their populations for every year of its options, the regional ones
// following the national trend from their 2022 value.
void add_regions(World& world);

}  // namespace rapporteur::demo::internal
