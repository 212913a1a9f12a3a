#include <array>
#include <random>

#include <fmt/format.h>

#include "demo/internal/account.h"

namespace rapporteur::demo::internal {
namespace {

struct Template {
  ActivityKind kind;
  const char* organisation;
  const char* title;
};

// Organisations and occasions of the kind a Dutch rapporteur works with; titles written for
// the demo.
constexpr std::array<Template, 16> kActivities = {{
    {ActivityKind::kAdvisoryBoard, "Expertisecentrum Mensenhandel", "Vergadering adviesraad"},
    {ActivityKind::kAdvisoryBoard, "Centrum Kinderhandel Mensenhandel", "Adviesraad jeugd en uitbuiting"},
    {ActivityKind::kSteeringCommittee, "WODC", "Begeleidingscommissie onderzoek arbeidsuitbuiting"},
    {ActivityKind::kSteeringCommittee, "WODC", "Begeleidingscommissie evaluatie zedenwetgeving"},
    {ActivityKind::kExpertMeeting, "Ministerie van Justitie en Veiligheid", "Expertmeeting criminele uitbuiting"},
    {ActivityKind::kExpertMeeting, "Europese Commissie", "Netwerk van nationale rapporteurs"},
    {ActivityKind::kBriefing, "Tweede Kamer", "Technische briefing slachtoffermonitor"},
    {ActivityKind::kBriefing, "Eerste Kamer", "Rondetafelgesprek seksueel geweld tegen kinderen"},
    {ActivityKind::kConsultation, "internetconsultatie.nl", "Reactie op wetsvoorstel strafbaarstelling uitbuiting"},
    {ActivityKind::kConsultation, "internetconsultatie.nl", "Reactie op wetsvoorstel seksuele misdrijven"},
    {ActivityKind::kPresentation, "Landelijk congres jeugdzorg", "Presentatie signalen van uitbuiting"},
    {ActivityKind::kPresentation, "Politieacademie", "Gastcollege mensenhandel in cijfers"},
    {ActivityKind::kPresentation, "Gemeente Rotterdam", "Presentatie regionale cijfers"},
    {ActivityKind::kCooperation, "Centraal Bureau voor de Statistiek", "Datapartnerschap koppeling registraties"},
    {ActivityKind::kCooperation, "Universiteit Leiden", "Samenwerking schattingsmethoden"},
    {ActivityKind::kOther, "Stichting tegen uitbuiting", "Werkbezoek opvanglocatie"},
}};

struct Outlet {
  const char* name;
  MediaKind kind;
};

constexpr std::array<Outlet, 12> kOutlets = {{
    {"NOS Journaal", MediaKind::kTv},
    {"Nieuwsuur", MediaKind::kTv},
    {"NPO Radio 1", MediaKind::kRadio},
    {"BNR Nieuwsradio", MediaKind::kRadio},
    {"NRC", MediaKind::kNationalPaper},
    {"de Volkskrant", MediaKind::kNationalPaper},
    {"Trouw", MediaKind::kNationalPaper},
    {"Dagblad van het Noorden", MediaKind::kRegionalPaper},
    {"Brabants Dagblad", MediaKind::kRegionalPaper},
    {"The Guardian", MediaKind::kInternationalPaper},
    {"nu.nl", MediaKind::kOnline},
    {"NOS.nl", MediaKind::kOnline},
}};

constexpr std::array<const char*, 8> kTopics = {"Slachtoffers van mensenhandel niet in beeld",
                                                "Arbeidsuitbuiting in de distributiecentra",
                                                "Criminele uitbuiting van jongeren",
                                                "Sextortion onder tieners",
                                                "Opvang van minderjarige slachtoffers",
                                                "Schatting verborgen slachtoffers",
                                                "Vervolging van mensenhandelaren",
                                                "Online seksueel misbruik van kinderen"};

std::string day_in(std::mt19937_64& random, int year) {
  const int month = 1 + static_cast<int>(random() % 12);
  const int day = 1 + static_cast<int>(random() % 28);
  return fmt::format("{}-{:02}-{:02}", year, month, day);
}

}  // namespace

void add_account(World& world) {
  for (int year = world.options.first_year; year <= world.options.last_year; ++year) {
    std::mt19937_64 random(world.options.seed * 7919 + static_cast<std::uint64_t>(year));
    // Activities: each template one to three times a year.
    for (const Template& t : kActivities) {
      const int times = 1 + static_cast<int>(random() % 3);
      for (int i = 0; i < times; ++i) {
        world.activities.push_back({day_in(random, year), t.kind, t.organisation, t.title,
                                    i == 0 ? "" : fmt::format("Vervolgbijeenkomst {}", i)});
      }
    }
    // Media: 40 to 80 appearances, more around the monitors in the autumn.
    const int appearances = 40 + static_cast<int>(random() % 41);
    for (int i = 0; i < appearances; ++i) {
      const Outlet& outlet = kOutlets[random() % kOutlets.size()];
      std::string date = day_in(random, year);
      if (random() % 3 == 0) date = fmt::format("{}-11-{:02}", year, 1 + static_cast<int>(random() % 28));
      world.media.push_back(
          {date, outlet.name, outlet.kind, fmt::format("{} ({})", kTopics[random() % kTopics.size()], i + 1), ""});
    }
    // Finances in cents; the stated totals are the sums of the lines, so they add up.
    Finances f;
    f.year = year;
    const std::int64_t structural = 380'000'000 + static_cast<std::int64_t>(random() % 20'000'000);
    const std::int64_t incidental = 15'000'000 + static_cast<std::int64_t>(random() % 10'000'000);
    const std::int64_t partnership = 5'000'000 + static_cast<std::int64_t>(random() % 2'000'000);
    f.budget = {{"Ministerie van Justitie en Veiligheid", "Structurele bijdrage", FundingKind::kStructural, structural},
                {"Ministerie van Volksgezondheid, Welzijn en Sport", "Onderzoek seksueel geweld tegen kinderen",
                 FundingKind::kIncidental, incidental},
                {"Europese Commissie", "Project datapartnerschap", FundingKind::kIncidental, partnership}};
    const std::int64_t budget = structural + incidental + partnership;
    const std::int64_t staff = budget * 70 / 100 + static_cast<std::int64_t>(random() % 1'000'000);
    const std::int64_t research = budget * 15 / 100;
    const std::int64_t operations = budget * 12 / 100 + static_cast<std::int64_t>(random() % 500'000);
    f.spending = {{SpendingCategory::kStaff, "Personeel", staff},
                  {SpendingCategory::kResearch, "Uitbesteed onderzoek en data", research},
                  {SpendingCategory::kOperations, "Huisvesting, ICT en bedrijfsvoering", operations}};
    f.budget_total_cents = budget;
    f.spending_total_cents = staff + research + operations;
    f.result_cents = f.budget_total_cents - f.spending_total_cents;
    f.notes = "Fictieve cijfers voor de demo-omgeving.";
    world.finances.push_back(std::move(f));
  }
}

}  // namespace rapporteur::demo::internal
