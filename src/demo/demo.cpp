#include "demo/demo.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <random>
#include <tuple>

#include <fmt/format.h>

#include "demo/internal/account.h"
#include "demo/internal/identities.h"
#include "demo/internal/regions.h"

namespace rapporteur::demo {
namespace {

constexpr int kMinYear = 2015;
constexpr int kMaxYear = 2030;

// SplitMix64 (Steele, Lea and Flood 2014): mixes seed and stream numbers into independent
// engine seeds, so that adding a stream does not shift the numbers of the others.
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Random draws built only on mt19937_64's output, whose sequence the standard fixes; the
// standard distributions are implementation-defined and would differ between libraries.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : engine_(seed) {}

  double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return uniform() < p; }
  int between(int low, int high) {  // Inclusive.
    return low + static_cast<int>(uniform() * (high - low + 1));
  }
  double normal() {  // Box-Muller.
    const double u = 1.0 - uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * 3.14159265358979323846 * uniform());
  }
  // Index drawn with probability proportional to weights[i].
  template <typename Weights>
  std::size_t pick(const Weights& weights) {
    double total = 0;
    for (const auto& w : weights) total += weight_of(w);
    double target = uniform() * total;
    for (std::size_t i = 0; i < std::size(weights); ++i) {
      target -= weight_of(weights[i]);
      if (target < 0) return i;
    }
    return std::size(weights) - 1;
  }
  std::uint64_t bits() { return engine_(); }

 private:
  static double weight_of(double w) { return w; }
  template <typename T>
  static double weight_of(const std::pair<T, double>& w) {
    return w.second;
  }

  std::mt19937_64 engine_;
};

Rng stream(std::uint64_t seed, int year, int kind) {
  return Rng(splitmix64(splitmix64(seed) ^
                        splitmix64(static_cast<std::uint64_t>(year) * 1000u + static_cast<std::uint64_t>(kind))));
}

std::string person_key(Rng& rng) { return fmt::format("{:016x}{:016x}", rng.bits(), rng.bits()); }

// Registered presumed trafficking victims per year (NR counts of CoMensha registrations,
// shared/data/nl_figures.json; 2022 and 2024 have no published figure and are interpolated).
int registered_trafficking_target(int year) {
  static constexpr std::array<std::pair<int, int>, 10> kRegistered{{
      {2015, 1150},
      {2016, 952},
      {2017, 956},
      {2018, 668},
      {2019, 1334},
      {2020, 984},
      {2021, 791},
      {2022, 830},
      {2023, 868},
      {2024, 900},
  }};
  for (const auto& [y, count] : kRegistered) {
    if (y == year) return count;
  }
  return 900;
}

// Share of trafficking victims seen by at least one source under the capture model below,
// measured by simulation (about one in five, in line with the NR/UNODC estimate of roughly
// five times the registered number); the true size is the target divided by it.
constexpr double kTraffickingSeenShare = 0.194;
constexpr int kChildVictimsPerYear = 16'000;
constexpr int kTraffickingSuspectsPerYear = 420;
constexpr int kChildSuspectsPerYear = 3'300;

enum Src { kCoMensha, kPolitie, kKmar, kNla, kOm, kJeugd, kSourceCount };
constexpr std::array<std::string_view, kSourceCount> kSourceCodes{"comensha", "politie", "kmar",
                                                                  "nla",      "om",      "jeugdbescherming"};

std::vector<Source> make_sources() {
  return {
      {"comensha", "CoMensha (coördinatiecentrum mensenhandel)", SourceKind::kVictimCoordination},
      {"politie", "Nationale Politie", SourceKind::kPolice},
      {"kmar", "Koninklijke Marechaussee", SourceKind::kBorderPolice},
      {"nla", "Nederlandse Arbeidsinspectie", SourceKind::kLabourInspectorate},
      {"om", "Openbaar Ministerie", SourceKind::kProsecution},
      {"jeugdbescherming", "Raad voor de Kinderbescherming", SourceKind::kChildProtection},
  };
}

using Weighted = std::pair<std::string_view, double>;

constexpr std::array<Weighted, 11> kSexualForeign{{{"NG", .25},
                                                   {"RO", .15},
                                                   {"HU", .10},
                                                   {"BG", .10},
                                                   {"UG", .08},
                                                   {"CN", .05},
                                                   {"TH", .05},
                                                   {"BR", .05},
                                                   {"UA", .05},
                                                   {"PL", .05},
                                                   {"MA", .07}}};
constexpr std::array<Weighted, 11> kLabourForeign{{{"PL", .28},
                                                   {"RO", .15},
                                                   {"UA", .12},
                                                   {"BG", .08},
                                                   {"IN", .06},
                                                   {"VN", .06},
                                                   {"PH", .05},
                                                   {"CN", .05},
                                                   {"HU", .05},
                                                   {"TR", .05},
                                                   {"NG", .05}}};
constexpr std::array<Weighted, 7> kCriminalForeign{
    {{"MA", .20}, {"RO", .20}, {"VN", .15}, {"ER", .10}, {"NG", .10}, {"DZ", .10}, {"PL", .15}}};
constexpr std::array<Weighted, 8> kOtherForeign{
    {{"MA", .2}, {"TR", .15}, {"PL", .15}, {"SY", .15}, {"SR", .1}, {"RO", .1}, {"DE", .1}, {"BE", .05}}};

bool is_eu(std::string_view country) {
  static constexpr std::array<std::string_view, 8> kEu{"RO", "HU", "BG", "PL", "DE", "BE", "NL", "FR"};
  return std::find(kEu.begin(), kEu.end(), country) != kEu.end();
}

class Municipalities {
 public:
  explicit Municipalities(double exponent) {
    for (const auto& m : internal::municipalities()) {
      weights_.push_back(std::pow(static_cast<double>(m.population_2022), exponent));
    }
  }
  std::string draw(Rng& rng) const { return std::string(internal::municipalities()[rng.pick(weights_)].code); }

 private:
  std::vector<double> weights_;
};

// What one person looks like; each source's record is drawn from it with recording noise.
struct Profile {
  Mandate mandate = Mandate::kHumanTrafficking;
  Role role = Role::kVictim;
  std::optional<ExploitationForm> form;
  std::optional<OffenceType> offence;
  Sex sex = Sex::kUnknown;
  int age = 0;
  std::string nationality;
  std::string region;
  ResidenceStatus residence = ResidenceStatus::kUnknown;
};

Registration record(const Profile& p, std::string key, int year, Src source, Rng& rng) {
  Registration r;
  r.source_code = std::string(kSourceCodes[source]);
  r.person_key = std::move(key);
  r.year = year;
  r.mandate = p.mandate;
  r.role = p.role;
  r.exploitation_form = p.form;
  r.offence_type = p.offence;
  // Sources record imperfectly: some fields are left empty, as in real extracts.
  r.sex = rng.chance(0.02) ? Sex::kUnknown : p.sex;
  if (!rng.chance(0.04)) r.age = p.age;
  if (!rng.chance(0.03)) r.nationality = p.nationality;
  // The Labour Inspectorate reports centrally, without a region (nl_regions.md section 1).
  if (source != kNla && !rng.chance(0.02)) r.region_code = p.region;
  r.residence_status = p.role == Role::kVictim ? p.residence : ResidenceStatus::kUnknown;
  return r;
}

internal::Uniform uniform_of(Rng& rng) {
  return [&rng] { return rng.uniform(); };
}

// Records `r` with the identity the source wrote down for the person.
void emit(World& world, Registration r, const internal::PersonIdentity& id, Src source, Rng& rng) {
  RecordedIdentity recorded;
  recorded.first_name = id.first_name;
  recorded.last_name = rng.chance(0.015) ? internal::with_typo(id.last_name, uniform_of(rng)) : id.last_name;
  recorded.birth_date = id.birth.iso();
  // KMar rarely has a Dutch id number; CoMensha records it for some victims only.
  const bool records_id = source != kKmar && (source != kCoMensha || rng.chance(0.4));
  if (id.national_id && records_id) recorded.national_id = *id.national_id;
  recorded.registration_date = internal::add_days_within_year(id.first_contact, rng.between(0, 60)).iso();
  if (rng.chance(0.004)) {
    constexpr std::array<double, 4> kFlaws{1, 1, 1, 1};
    recorded.flaw = static_cast<RecordFlaw>(1 + rng.pick(kFlaws));
  }
  world.registrations.push_back(std::move(r));
  world.identities.push_back(std::move(recorded));
}

// A registered trafficking victim, kept so that a later year's victim or a suspect can be the
// same person.
struct Known {
  std::string key;
  internal::PersonIdentity identity;
  Profile profile;
  int year = 0;
};

// The registered trafficking victims of the year before and of this year.
struct KnownVictims {
  std::vector<Known> last_year;
  std::vector<Known> this_year;
};

// Some people come back: a trafficking victim registered one year is among the next year's
// victims (re-exploitation), and some suspects of trafficking were registered as its victims
// the same year (victims of forced criminality, or recruited to recruit). Drawn from streams of
// their own, so the rest of the world is drawn as without them.
constexpr double kReturningVictimShare = 0.05;  // Of each year's victims (registered or not).
constexpr double kVictimSuspectShare = 0.06;    // Of trafficking suspects.

// Takes a random entry out of `pool` (empty: none).
std::optional<Known> take_one(std::vector<Known>& pool, Rng& rng) {
  if (pool.empty()) return std::nullopt;
  const auto at = static_cast<std::size_t>(rng.uniform() * static_cast<double>(pool.size()));
  std::swap(pool[at], pool.back());
  Known taken = std::move(pool.back());
  pool.pop_back();
  return taken;
}

// Records the victim `p` (key `key`, identity `identity`) with every source in `seen`;
// returns whether any source saw them.
bool register_victim(World& world, const Profile& p, const std::string& key, const internal::PersonIdentity& identity,
                     int year, const std::array<bool, kSourceCount>& seen, Rng& rng, Rng& id_rng) {
  bool any = false;
  for (int s = 0; s < kSourceCount; ++s) {
    if (seen[s]) {
      emit(world, record(p, key, year, static_cast<Src>(s), rng), identity, static_cast<Src>(s), id_rng);
      any = true;
    }
  }
  return any;
}

int adult_age(Rng& rng, double mean_excess, int cap) {
  const double excess = -std::log(1.0 - rng.uniform()) * mean_excess;
  return std::min(cap, 18 + static_cast<int>(excess));
}

// Person-level visibility: a log-normal factor with mean 1 shared by all sources, which makes
// registers overlap more than independence predicts, as real ones do.
double visibility(Rng& rng, double sigma) { return std::exp(sigma * rng.normal() - sigma * sigma / 2); }

double capped(double p) { return std::clamp(p, 0.0, 0.9); }

using TruthKey = std::tuple<int, Mandate, std::string, Sex, std::string>;

struct Counts {
  std::int64_t true_count = 0;
  std::int64_t registered = 0;
};

void add_trafficking_victims(int year, const WorldOptions& options, World& world, std::map<TruthKey, Counts>& truth,
                             KnownVictims& known) {
  Rng rng = stream(options.seed, year, 1);
  Rng id_rng = stream(options.seed, year, 11);
  Rng returning = stream(options.seed, year, 21);
  const Municipalities city_skewed(1.15);
  const Municipalities by_population(1.0);
  const int population = static_cast<int>(std::lround(registered_trafficking_target(year) / kTraffickingSeenShare));
  constexpr std::array<double, 5> kFormShares{.55, .27, .13, .02, .03};
  constexpr std::array kForms{ExploitationForm::kSexual, ExploitationForm::kLabour, ExploitationForm::kCriminal,
                              ExploitationForm::kOther, ExploitationForm::kUnknown};
  constexpr std::array<double, 5> kFemale{.88, .38, .35, .5, .6};
  constexpr std::array<double, 5> kMinor{.22, .03, .30, .10, .10};
  constexpr std::array<double, 5> kDutch{.45, .05, .35, .2, .3};
  constexpr std::array<double, 5> kPolice{.11, .04, .09, .05, .05};
  constexpr std::array<double, 5> kCare{.07, .03, .05, .04, .06};
  constexpr std::array<double, 5> kBorder{.05, .03, .02, .02, .02};
  constexpr std::array<double, 5> kLabourInspection{.002, .08, .01, .01, .005};
  for (int i = 0; i < population; ++i) {
    Profile p;
    const std::size_t f = rng.pick(kFormShares);
    p.form = kForms[f];
    p.sex = rng.chance(0.005) ? Sex::kUnknown : rng.chance(kFemale[f]) ? Sex::kFemale : Sex::kMale;
    const bool minor = rng.chance(kMinor[f]);
    p.age = minor ? rng.between(12, 17) : adult_age(rng, 9.0, 65);
    const bool dutch = rng.chance(minor ? std::min(0.9, kDutch[f] * 1.8) : kDutch[f]);
    if (dutch) {
      p.nationality = "NL";
    } else {
      switch (*p.form) {
        case ExploitationForm::kSexual:
          p.nationality = kSexualForeign[rng.pick(kSexualForeign)].first;
          break;
        case ExploitationForm::kLabour:
          p.nationality = kLabourForeign[rng.pick(kLabourForeign)].first;
          break;
        case ExploitationForm::kCriminal:
          p.nationality = kCriminalForeign[rng.pick(kCriminalForeign)].first;
          break;
        default:
          p.nationality = kOtherForeign[rng.pick(kOtherForeign)].first;
          break;
      }
    }
    if (dutch) {
      p.residence = ResidenceStatus::kDutch;
    } else if (is_eu(p.nationality)) {
      p.residence = ResidenceStatus::kEu;
    } else {
      // Dublin claimants appear from 2019 (nl_monitor.md section 6).
      constexpr std::array<double, 4> kStatus{.45, .25, .15, .15};
      const std::size_t s = rng.pick(kStatus);
      p.residence = s == 0                              ? ResidenceStatus::kB8
                    : s == 1 || (s == 2 && year < 2019) ? ResidenceStatus::kAsylum
                    : s == 2                            ? ResidenceStatus::kDublinClaimant
                                                        : ResidenceStatus::kUnknown;
    }
    p.region = *p.form == ExploitationForm::kLabour ? by_population.draw(rng) : city_skewed.draw(rng);
    std::optional<Known> earlier;
    if (returning.chance(kReturningVictimShare)) earlier = take_one(known.last_year, returning);
    const Profile drawn = p;
    std::size_t f_used = f;
    bool minor_used = minor;
    bool dutch_used = dutch;
    if (earlier) {
      // The same person a year on: their form, sex, nationality, residence and region.
      p = earlier->profile;
      p.age += year - earlier->year;
      f_used = static_cast<std::size_t>(std::find(kForms.begin(), kForms.end(), *p.form) - kForms.begin());
      minor_used = p.age < 18;
      dutch_used = p.nationality == "NL";
    }

    const double v = visibility(rng, options.visibility_sigma);
    std::array<double, kSourceCount> chance{};
    chance[kPolitie] = kPolice[f_used] * (minor_used && dutch_used ? 1.5 : 1.0);
    chance[kCoMensha] = kCare[f_used] * (minor_used ? 1.6 : 1.0);
    chance[kKmar] =
        dutch_used ? 0.005 : kBorder[f_used] * (p.residence == ResidenceStatus::kDublinClaimant ? 1.5 : 1.0);
    chance[kNla] = kLabourInspection[f_used];
    chance[kJeugd] = minor_used ? 0.12 : 0.0;
    std::array<bool, kSourceCount> seen{};
    for (const Src s : {kCoMensha, kPolitie, kKmar, kNla, kJeugd}) {
      seen[s] = rng.chance(capped(chance[s] * v));
    }
    // Prosecutors mostly see victims through police investigations.
    seen[kOm] = rng.chance(capped((seen[kPolitie] ? 0.25 : 0.01) * v));

    // Key and identity are drawn for everyone, from the profile as drawn, so the streams stay as
    // they were; one who came back keeps their own, registered on a day of this year.
    std::string key = person_key(rng);
    internal::PersonIdentity identity = internal::make_identity(drawn.nationality, drawn.age, year, uniform_of(id_rng));
    if (earlier) {
      const internal::CalendarDate contact = identity.first_contact;
      key = earlier->key;
      identity = earlier->identity;
      identity.first_contact = contact;
    }
    const bool any = register_victim(world, p, key, identity, year, seen, rng, id_rng);
    if (any) known.this_year.push_back({key, identity, p, year});
    Counts& cell =
        truth[{year, Mandate::kHumanTrafficking, std::string(to_code(*p.form)), p.sex, minor_used ? "minor" : "adult"}];
    ++cell.true_count;
    cell.registered += any ? 1 : 0;
  }
}

void add_child_victims(int year, const WorldOptions& options, World& world, std::map<TruthKey, Counts>& truth) {
  Rng rng = stream(options.seed, year, 2);
  Rng id_rng = stream(options.seed, year, 12);
  const Municipalities by_population(1.0);
  constexpr std::array<double, 5> kShares{.45, .33, .11, .08, .03};
  constexpr std::array kTypes{OffenceType::kHandsOn, OffenceType::kCsam, OffenceType::kGrooming,
                              OffenceType::kSextortion, OffenceType::kOther};
  constexpr std::array<int, 5> kYoungest{3, 6, 11, 12, 6};
  constexpr std::array<Weighted, 6> kForeign{
      {{"PL", .2}, {"MA", .2}, {"TR", .2}, {"SY", .15}, {"SR", .15}, {"DE", .1}}};
  for (int i = 0; i < kChildVictimsPerYear; ++i) {
    Profile p;
    p.mandate = Mandate::kSexualViolenceAgainstChildren;
    const std::size_t t = rng.pick(kShares);
    p.offence = kTypes[t];
    p.sex = rng.chance(0.78) ? Sex::kFemale : Sex::kMale;
    p.age = rng.between(kYoungest[t], 17);
    p.nationality = rng.chance(0.85) ? "NL" : std::string(kForeign[rng.pick(kForeign)].first);
    p.residence = p.nationality == "NL"  ? ResidenceStatus::kDutch
                  : is_eu(p.nationality) ? ResidenceStatus::kEu
                                         : ResidenceStatus::kUnknown;
    p.region = by_population.draw(rng);
    const double v = visibility(rng, options.visibility_sigma);
    std::array<bool, kSourceCount> seen{};
    seen[kPolitie] = rng.chance(capped(0.16 * v));
    seen[kJeugd] = rng.chance(capped((p.age < 12 ? 0.12 : 0.07) * v));
    seen[kOm] = rng.chance(capped((seen[kPolitie] ? 0.25 : 0.01) * v));
    const std::string key = person_key(rng);
    const auto identity = internal::make_identity(p.nationality, p.age, year, uniform_of(id_rng));
    const bool any = register_victim(world, p, key, identity, year, seen, rng, id_rng);
    Counts& cell =
        truth[{year, Mandate::kSexualViolenceAgainstChildren, std::string(to_code(*p.offence)), p.sex, "minor"}];
    ++cell.true_count;
    cell.registered += any ? 1 : 0;
  }
}

// Suspects pass through the chain: the police report them, the prosecution service registers
// some, prosecutes part of those, and the courts convict part of the prosecuted.
void add_suspects(int year, Mandate mandate, const WorldOptions& options, World& world, KnownVictims& known) {
  const bool trafficking = mandate == Mandate::kHumanTrafficking;
  Rng rng = stream(options.seed, year, trafficking ? 3 : 4);
  Rng id_rng = stream(options.seed, year, trafficking ? 13 : 14);
  Rng also_victim = stream(options.seed, year, 23);
  // Victims of forced criminality, and of sexual exploitation recruited to recruit, are the
  // ones who turn up as suspects.
  std::vector<Known> candidates;
  if (trafficking) {
    for (const Known& k : known.this_year) {
      if (k.profile.age >= 16 &&
          (*k.profile.form == ExploitationForm::kCriminal || *k.profile.form == ExploitationForm::kSexual)) {
        candidates.push_back(k);
      }
    }
  }
  const Municipalities by_population(1.0);
  const int count = trafficking ? kTraffickingSuspectsPerYear : kChildSuspectsPerYear;
  constexpr std::array<double, 4> kFormShares{.60, .20, .17, .03};
  constexpr std::array kForms{ExploitationForm::kSexual, ExploitationForm::kLabour, ExploitationForm::kCriminal,
                              ExploitationForm::kOther};
  constexpr std::array<double, 5> kOffenceShares{.40, .40, .10, .07, .03};
  constexpr std::array kTypes{OffenceType::kHandsOn, OffenceType::kCsam, OffenceType::kGrooming,
                              OffenceType::kSextortion, OffenceType::kOther};
  constexpr std::array<Weighted, 9> kForeign{{{"RO", .2},
                                              {"BG", .12},
                                              {"NG", .12},
                                              {"MA", .12},
                                              {"PL", .12},
                                              {"TR", .1},
                                              {"HU", .08},
                                              {"SR", .07},
                                              {"DE", .07}}};
  for (int i = 0; i < count; ++i) {
    Profile p;
    p.mandate = mandate;
    p.role = Role::kSuspect;
    if (trafficking) {
      p.form = kForms[rng.pick(kFormShares)];
      p.sex = rng.chance(0.83) ? Sex::kMale : Sex::kFemale;
      p.age = rng.chance(0.03) ? rng.between(16, 17) : adult_age(rng, 11.0, 70);
    } else {
      p.offence = kTypes[rng.pick(kOffenceShares)];
      p.sex = rng.chance(0.98) ? Sex::kMale : Sex::kFemale;
      p.age = rng.chance(0.27) ? rng.between(12, 17) : adult_age(rng, 18.0, 80);
    }
    p.nationality = rng.chance(trafficking ? 0.5 : 0.85) ? "NL" : std::string(kForeign[rng.pick(kForeign)].first);
    p.region = by_population.draw(rng);
    std::string key = person_key(rng);
    internal::PersonIdentity identity = internal::make_identity(p.nationality, p.age, year, uniform_of(id_rng));
    std::optional<Known> victim;
    if (trafficking && also_victim.chance(kVictimSuspectShare)) victim = take_one(candidates, also_victim);
    if (victim) {
      // A registered victim of this year: their key, identity, sex, age, nationality and region.
      const internal::CalendarDate contact = identity.first_contact;
      key = victim->key;
      identity = victim->identity;
      identity.first_contact = contact;
      p.sex = victim->profile.sex;
      p.age = victim->profile.age;
      p.nationality = victim->profile.nationality;
      p.region = victim->profile.region;
    }
    const bool police = rng.chance(trafficking ? 0.72 : 0.9);
    const bool prosecution = rng.chance(trafficking ? 0.55 : (police ? 0.30 : 0.05));
    if (police) {
      Registration r = record(p, key, year, kPolitie, rng);
      r.chain_stage = ChainStage::kReported;
      emit(world, std::move(r), identity, kPolitie, id_rng);
    }
    if (prosecution) {
      Registration r = record(p, key, year, kOm, rng);
      // Among registered cases: dismissed or pending, prosecuted without conviction, convicted.
      const std::array<double, 3> outcome =
          trafficking ? std::array<double, 3>{.30, .22, .48} : std::array<double, 3>{.25, .15, .60};
      constexpr std::array kStages{ChainStage::kRegistered, ChainStage::kProsecuted, ChainStage::kConvicted};
      r.chain_stage = kStages[rng.pick(outcome)];
      emit(world, std::move(r), identity, kOm, id_rng);
    }
  }
}

}  // namespace

Result<World> generate_world(const WorldOptions& options) {
  if (options.first_year > options.last_year || options.first_year < kMinYear || options.last_year > kMaxYear) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("demo years {}..{} must be a non-empty range within {}..{}",
                                                         options.first_year, options.last_year, kMinYear, kMaxYear));
  }
  if (!(options.visibility_sigma >= 0 && options.visibility_sigma <= 2)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("visibility spread {} must lie within 0..2", options.visibility_sigma));
  }
  World world;
  world.options = options;
  world.sources = make_sources();
  internal::add_regions(world);
  std::map<TruthKey, Counts> truth;
  KnownVictims known;
  for (int year = options.first_year; year <= options.last_year; ++year) {
    add_trafficking_victims(year, options, world, truth, known);
    add_child_victims(year, options, world, truth);
    add_suspects(year, Mandate::kHumanTrafficking, options, world, known);
    add_suspects(year, Mandate::kSexualViolenceAgainstChildren, options, world, known);
    known.last_year = std::move(known.this_year);
    known.this_year.clear();
  }
  for (const auto& [key, counts] : truth) {
    const auto& [year, mandate, classification, sex, age_group] = key;
    world.truth.push_back({year, mandate, classification, sex, age_group, counts.true_count, counts.registered});
  }
  internal::add_account(world);
  return world;
}

Result<std::vector<intake::LoadReport>> load_world(const World& world, store::Store& store,
                                                   const intake::PseudonymKey& key, const LoadWorldOptions& options) {
  std::vector<intake::LoadReport> reports;
  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const std::int64_t existing, store.count_registrations({}));
    if (existing > 0) {
      return fail(ErrorCode::kConflict, fmt::format("the instance already holds {} registrations; load the demo world "
                                                    "into a new database",
                                                    existing));
    }
    for (const Source& source : world.sources) RETURN_IF_ERROR(store.put_source(source));
    for (const Region& region : world.regions) RETURN_IF_ERROR(store.put_region(region));
    for (const auto& population : world.populations) RETURN_IF_ERROR(store.put_population(population));
    ASSIGN_OR_RETURN(const auto files, write_extracts(world, options.extracts_folder));
    for (const ExtractFile& file : files) {
      ASSIGN_OR_RETURN(const intake::SourceProfile profile,
                       intake::load_profile(options.profiles_folder / file.profile));
      ASSIGN_OR_RETURN(const intake::LoadReport report,
                       intake::load_extract(store, key, profile, {.file = file.path, .year = file.year}));
      if (options.on_loaded) options.on_loaded(file, report);
      reports.push_back(report);
    }
    for (const auto& activity : world.activities) RETURN_IF_ERROR(store.put_activity(activity));
    for (const auto& appearance : world.media) RETURN_IF_ERROR(store.put_media_appearance(appearance));
    for (const auto& finances : world.finances) RETURN_IF_ERROR(store.put_finances(finances));
    return store.set_meta("demo_seed", std::to_string(world.options.seed));
  }));
  return reports;
}

}  // namespace rapporteur::demo
