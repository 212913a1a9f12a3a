#include "demo/internal/regions.h"

#include <array>
#include <cmath>

#include "demo/demo.h"

namespace rapporteur::demo::internal {
namespace {

// Police unit populations on 1 January 2022. Noord-Nederland, Oost-Nederland and Limburg are
// CBS sums quoted in shared/data/nl_regions.md; the others split the published provincial
// totals (Zuid-Holland 3,753,944; Zeeland + Noord-Brabant 2,979,641; Noord-Holland,
// Utrecht, Flevoland) by veiligheidsregio and are approximations to be replaced by CBS
// 70072ned sums.
constexpr std::array kPoliceUnits{
    PoliceUnitInfo{"RE01", "Noord-Nederland", 1'741'932},  PoliceUnitInfo{"RE02", "Oost-Nederland", 3'282'382},
    PoliceUnitInfo{"RE03", "Midden-Nederland", 2'066'000}, PoliceUnitInfo{"RE04", "Noord-Holland", 1'560'000},
    PoliceUnitInfo{"RE05", "Amsterdam", 1'080'000},        PoliceUnitInfo{"RE06", "Den Haag", 1'975'000},
    PoliceUnitInfo{"RE07", "Rotterdam", 1'778'944},        PoliceUnitInfo{"RE08", "Zeeland-West-Brabant", 1'520'000},
    PoliceUnitInfo{"RE09", "Oost-Brabant", 1'459'641},     PoliceUnitInfo{"RE10", "Limburg", 1'118'302},
};

// Real municipalities (CBS codes) with populations on 1 January 2022 rounded to thousands;
// approximations for weighting the demo world, not published figures.
constexpr std::array kMunicipalities{
    MunicipalityInfo{"GM0014", "Groningen", "RE01", 234'000},
    MunicipalityInfo{"GM0080", "Leeuwarden", "RE01", 125'000},
    MunicipalityInfo{"GM0106", "Assen", "RE01", 69'000},
    MunicipalityInfo{"GM0114", "Emmen", "RE01", 107'000},
    MunicipalityInfo{"GM0074", "Heerenveen", "RE01", 51'000},
    MunicipalityInfo{"GM0090", "Smallingerland", "RE01", 56'000},
    MunicipalityInfo{"GM1900", "Súdwest-Fryslân", "RE01", 90'000},
    MunicipalityInfo{"GM0119", "Meppel", "RE01", 34'000},
    MunicipalityInfo{"GM0118", "Hoogeveen", "RE01", 55'000},
    MunicipalityInfo{"GM0193", "Zwolle", "RE02", 130'000},
    MunicipalityInfo{"GM0153", "Enschede", "RE02", 160'000},
    MunicipalityInfo{"GM0202", "Arnhem", "RE02", 164'000},
    MunicipalityInfo{"GM0268", "Nijmegen", "RE02", 179'000},
    MunicipalityInfo{"GM0200", "Apeldoorn", "RE02", 165'000},
    MunicipalityInfo{"GM0228", "Ede", "RE02", 118'000},
    MunicipalityInfo{"GM0150", "Deventer", "RE02", 101'000},
    MunicipalityInfo{"GM0164", "Hengelo", "RE02", 81'000},
    MunicipalityInfo{"GM0141", "Almelo", "RE02", 73'000},
    MunicipalityInfo{"GM0222", "Doetinchem", "RE02", 58'000},
    MunicipalityInfo{"GM0301", "Zutphen", "RE02", 48'000},
    MunicipalityInfo{"GM0166", "Kampen", "RE02", 54'000},
    MunicipalityInfo{"GM0243", "Harderwijk", "RE02", 48'000},
    MunicipalityInfo{"GM0203", "Barneveld", "RE02", 60'000},
    MunicipalityInfo{"GM0289", "Wageningen", "RE02", 40'000},
    MunicipalityInfo{"GM0281", "Tiel", "RE02", 42'000},
    MunicipalityInfo{"GM0216", "Culemborg", "RE02", 29'000},
    MunicipalityInfo{"GM0344", "Utrecht", "RE03", 361'000},
    MunicipalityInfo{"GM0307", "Amersfoort", "RE03", 158'000},
    MunicipalityInfo{"GM0034", "Almere", "RE03", 218'000},
    MunicipalityInfo{"GM0995", "Lelystad", "RE03", 80'000},
    MunicipalityInfo{"GM0402", "Hilversum", "RE03", 91'000},
    MunicipalityInfo{"GM0345", "Veenendaal", "RE03", 67'000},
    MunicipalityInfo{"GM0356", "Nieuwegein", "RE03", 64'000},
    MunicipalityInfo{"GM0355", "Zeist", "RE03", 66'000},
    MunicipalityInfo{"GM0321", "Houten", "RE03", 50'000},
    MunicipalityInfo{"GM0171", "Noordoostpolder", "RE03", 48'000},
    MunicipalityInfo{"GM0303", "Dronten", "RE03", 42'000},
    MunicipalityInfo{"GM1942", "Gooise Meren", "RE03", 58'000},
    MunicipalityInfo{"GM0406", "Huizen", "RE03", 42'000},
    MunicipalityInfo{"GM0392", "Haarlem", "RE04", 162'000},
    MunicipalityInfo{"GM0394", "Haarlemmermeer", "RE04", 160'000},
    MunicipalityInfo{"GM0479", "Zaanstad", "RE04", 157'000},
    MunicipalityInfo{"GM0361", "Alkmaar", "RE04", 110'000},
    MunicipalityInfo{"GM0400", "Den Helder", "RE04", 56'000},
    MunicipalityInfo{"GM0439", "Purmerend", "RE04", 92'000},
    MunicipalityInfo{"GM0405", "Hoorn", "RE04", 74'000},
    MunicipalityInfo{"GM0453", "Velsen", "RE04", 69'000},
    MunicipalityInfo{"GM0363", "Amsterdam", "RE05", 882'000},
    MunicipalityInfo{"GM0362", "Amstelveen", "RE05", 91'000},
    MunicipalityInfo{"GM0384", "Diemen", "RE05", 32'000},
    MunicipalityInfo{"GM0518", "'s-Gravenhage", "RE06", 553'000},
    MunicipalityInfo{"GM0546", "Leiden", "RE06", 125'000},
    MunicipalityInfo{"GM0503", "Delft", "RE06", 104'000},
    MunicipalityInfo{"GM0637", "Zoetermeer", "RE06", 126'000},
    MunicipalityInfo{"GM1783", "Westland", "RE06", 112'000},
    MunicipalityInfo{"GM0484", "Alphen aan den Rijn", "RE06", 113'000},
    MunicipalityInfo{"GM0537", "Katwijk", "RE06", 66'000},
    MunicipalityInfo{"GM0603", "Rijswijk", "RE06", 57'000},
    MunicipalityInfo{"GM0513", "Gouda", "RE06", 74'000},
    MunicipalityInfo{"GM0599", "Rotterdam", "RE07", 655'000},
    MunicipalityInfo{"GM0505", "Dordrecht", "RE07", 120'000},
    MunicipalityInfo{"GM0606", "Schiedam", "RE07", 79'000},
    MunicipalityInfo{"GM0622", "Vlaardingen", "RE07", 75'000},
    MunicipalityInfo{"GM0502", "Capelle aan den IJssel", "RE07", 67'000},
    MunicipalityInfo{"GM1930", "Nissewaard", "RE07", 86'000},
    MunicipalityInfo{"GM0642", "Zwijndrecht", "RE07", 45'000},
    MunicipalityInfo{"GM0758", "Breda", "RE08", 184'000},
    MunicipalityInfo{"GM0855", "Tilburg", "RE08", 224'000},
    MunicipalityInfo{"GM0687", "Middelburg", "RE08", 49'000},
    MunicipalityInfo{"GM0718", "Vlissingen", "RE08", 45'000},
    MunicipalityInfo{"GM0748", "Bergen op Zoom", "RE08", 68'000},
    MunicipalityInfo{"GM1674", "Roosendaal", "RE08", 77'000},
    MunicipalityInfo{"GM0715", "Terneuzen", "RE08", 54'000},
    MunicipalityInfo{"GM0664", "Goes", "RE08", 39'000},
    MunicipalityInfo{"GM0826", "Oosterhout", "RE08", 56'000},
    MunicipalityInfo{"GM0867", "Waalwijk", "RE08", 49'000},
    MunicipalityInfo{"GM0772", "Eindhoven", "RE09", 238'000},
    MunicipalityInfo{"GM0796", "'s-Hertogenbosch", "RE09", 157'000},
    MunicipalityInfo{"GM0794", "Helmond", "RE09", 93'000},
    MunicipalityInfo{"GM0828", "Oss", "RE09", 93'000},
    MunicipalityInfo{"GM0861", "Veldhoven", "RE09", 46'000},
    MunicipalityInfo{"GM0935", "Maastricht", "RE10", 121'000},
    MunicipalityInfo{"GM0917", "Heerlen", "RE10", 87'000},
    MunicipalityInfo{"GM0983", "Venlo", "RE10", 102'000},
    MunicipalityInfo{"GM0957", "Roermond", "RE10", 58'000},
    MunicipalityInfo{"GM1883", "Sittard-Geleen", "RE10", 92'000},
    MunicipalityInfo{"GM0928", "Kerkrade", "RE10", 45'000},
    MunicipalityInfo{"GM0988", "Weert", "RE10", 50'000},
    MunicipalityInfo{"GM0984", "Venray", "RE10", 44'000},
};

struct YearPopulation {
  int year;
  std::int64_t population;
};

// CBS, population on 1 January (nl_figures.json table population_nl); 2016 and 2017 are
// linear interpolations between 2015 and 2018, marked as such in the truth file's notes.
constexpr std::array kNational{
    YearPopulation{2015, 16'900'726}, YearPopulation{2016, 16'994'179}, YearPopulation{2017, 17'087'631},
    YearPopulation{2018, 17'181'084}, YearPopulation{2019, 17'282'163}, YearPopulation{2020, 17'407'585},
    YearPopulation{2021, 17'475'415}, YearPopulation{2022, 17'590'672}, YearPopulation{2023, 17'811'291},
    YearPopulation{2024, 17'947'684},
};

}  // namespace

std::span<const PoliceUnitInfo> police_units() { return kPoliceUnits; }
std::span<const MunicipalityInfo> municipalities() { return kMunicipalities; }

std::int64_t national_population(int year) {
  for (const auto& entry : kNational) {
    if (entry.year == year) {
      return entry.population;
    }
  }
  if (year > kNational.back().year && year <= 2030) {
    return kNational.back().population;
  }
  return 0;
}

void add_regions(World& world) {
  world.regions.push_back({"NL01", "Nederland", RegionLevel::kCountry, std::nullopt});
  for (const auto& unit : internal::police_units()) {
    world.regions.push_back(
        {std::string(unit.code), std::string(unit.name), RegionLevel::kPoliceUnit, std::string("NL01")});
  }
  for (const auto& m : internal::municipalities()) {
    world.regions.push_back(
        {std::string(m.code), std::string(m.name), RegionLevel::kMunicipality, std::string(m.police_unit_code)});
  }
  // Regional populations follow the national trend from their 2022 value.
  const auto scaled = [](std::int64_t population_2022, int year) {
    const double factor = static_cast<double>(internal::national_population(year)) /
                          static_cast<double>(internal::national_population(2022));
    return static_cast<std::int64_t>(std::llround(static_cast<double>(population_2022) * factor));
  };
  for (int year = world.options.first_year; year <= world.options.last_year; ++year) {
    world.populations.push_back({"NL01", year, internal::national_population(year)});
    for (const auto& unit : internal::police_units()) {
      world.populations.push_back({std::string(unit.code), year, scaled(unit.population_2022, year)});
    }
    for (const auto& m : internal::municipalities()) {
      world.populations.push_back({std::string(m.code), year, scaled(m.population_2022, year)});
    }
  }
}

}  // namespace rapporteur::demo::internal
