// Synthetic people for the linkage benches: a population with names drawn from long-tailed
// frequency lists (syllable names, so no real person), registered by six sources with
// within-source duplicates and the recording errors of issue 16 (typos, spelling and
// transliteration variants, nicknames, swapped names, date errors, missing ids and dates),
// encoded as intake encodes them (Bloom filters by intake's BloomEncoder; keyed values as
// 64-bit hashes: linkage only compares them for equality). Bench-only.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "intake/pseudonym.h"
#include "linkage/persons.h"
#include "linkage/probabilistic.h"

namespace rapporteur::bench {

class Random {
 public:
  explicit Random(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
  bool chance(double p) { return uniform() < p; }

 private:
  std::uint64_t state_;
};

inline std::uint64_t hash_of(std::string_view purpose, std::string_view value) {
  if (value.empty()) return 0;
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const char c : purpose) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  h = (h ^ ':') * 0x100000001b3ULL;
  for (const char c : value) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
  h ^= h >> 29;
  return h == 0 ? 1 : h;
}

// Names from syllables, ranked; rank r is drawn with weight 1 / (r + offset), so the commonest
// first name is about 2% of people and the commonest surname about 0.3% (as in Dutch registers).
class NameList {
 public:
  NameList(std::size_t syllables_per_name, std::size_t size, double offset, std::uint64_t seed) {
    static constexpr std::array<std::string_view, 40> kSyllables{
        "an",  "be",  "ca",  "da",  "el",  "fa",  "ga",  "ha",   "in",  "jo",  "ka",  "la",  "ma",  "na",
        "ol",  "pe",  "ra",  "sa",  "ta",  "va",  "wi",  "ya",   "ze",  "bor", "dim", "fen", "gor", "hel",
        "kir", "lun", "mar", "nik", "ost", "pol", "ros", "sten", "tar", "ven", "wol", "zan"};
    Random random(seed);
    names_.reserve(size);
    for (std::size_t i = 0; i < size; ++i) {
      std::string name;
      const std::size_t parts = syllables_per_name + (random.chance(0.3) ? 1 : 0);
      for (std::size_t p = 0; p < parts; ++p) name += kSyllables[random.below(kSyllables.size())];
      names_.push_back(std::move(name));
    }
    double total = 0;
    for (std::size_t r = 0; r < size; ++r) cumulative_.push_back(total += 1.0 / (static_cast<double>(r) + offset));
    for (auto& c : cumulative_) c /= total;
  }
  const std::string& draw(Random& random) const {
    const double u = random.uniform();
    std::size_t lo = 0;
    std::size_t hi = cumulative_.size() - 1;
    while (lo < hi) {
      const std::size_t mid = (lo + hi) / 2;
      if (cumulative_[mid] < u)
        lo = mid + 1;
      else
        hi = mid;
    }
    return names_[lo];
  }

 private:
  std::vector<std::string> names_;
  std::vector<double> cumulative_;
};

struct Person {
  std::string first;
  std::string last;
  int year = 0;
  int month = 0;
  int day = 0;
  std::uint64_t national_id = 0;  // 0: none.
  int sex = 0;
  int nationality = 0;
  int region = 0;
};

struct SyntheticRecords {
  linkage::RecordSet records;
  std::vector<std::uint64_t> entity;  // The true person of each record.
  std::int64_t persons = 0;
};

// One recorded name with the errors of issue 16 at the source's error rate.
inline std::string recorded_name(const std::string& name, double error_rate, Random& random) {
  std::string out = name;
  if (random.chance(error_rate) && out.size() > 2) {  // A typo: swap, drop, double or change one letter.
    const std::size_t at = 1 + random.below(out.size() - 2);
    switch (random.below(4)) {
      case 0:
        std::swap(out[at], out[at + 1]);
        break;
      case 1:
        out.erase(at, 1);
        break;
      case 2:
        out.insert(at, 1, out[at]);
        break;
      default:
        out[at] = static_cast<char>('a' + random.below(26));
        break;
    }
  }
  if (random.chance(error_rate / 2)) {  // A spelling or transliteration variant.
    static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> kVariants{
        {{"ph", "f"}, {"y", "i"}, {"k", "c"}, {"sch", "sh"}, {"ou", "u"}, {"v", "w"}}};
    const auto& [from, to] = kVariants[random.below(kVariants.size())];
    if (const auto at = out.find(from); at != std::string::npos) out.replace(at, from.size(), to);
  }
  return out;
}

// `count` records over six sources for a population drawn with `seed`.
inline SyntheticRecords make_records(std::size_t count, std::uint64_t seed) {
  const NameList first_names(2, 2'000, 10, seed ^ 1);
  const NameList last_names(3, 100'000, 60, seed ^ 2);
  // Per source: the chance that it registers a person, its error rate, whether it records a
  // national id, the chance of a missing date of birth.
  struct SourceProfile {
    double coverage;
    double errors;
    bool records_id;
    double no_date;
  };
  static constexpr std::array<SourceProfile, 6> kSources{{{0.45, 0.04, true, 0.02},
                                                          {0.35, 0.06, true, 0.05},
                                                          {0.30, 0.10, false, 0.10},
                                                          {0.25, 0.12, false, 0.20},
                                                          {0.20, 0.05, true, 0.05},
                                                          {0.15, 0.15, false, 0.30}}};
  intake::PseudonymKey key = intake::PseudonymKey::from_bytes(std::array<std::uint8_t, 32>{7});
  intake::BloomEncoder names(key, "name");
  SyntheticRecords out{linkage::RecordSet::create(linkage::person_schema()).value(), {}, 0};
  out.entity.reserve(count);
  Random random(seed);
  const auto date_keys = [](int y, int m, int d) {
    linkage::DateKeys k;
    k.year = hash_of("y", std::to_string(y));
    k.year_pair = hash_of("yp", std::to_string(y / 2));
    k.year_pair_odd = hash_of("ypo", std::to_string((y + 1) / 2));
    k.month = hash_of("md", std::to_string(m));
    k.day = hash_of("md", std::to_string(d));
    k.first_of_january = m == 1 && d == 1;
    return k;
  };
  const auto add_record = [&](const Person& p, std::uint32_t s) {
    const SourceProfile& source = kSources[s];
    const auto r = out.records.add(s);
    out.entity.push_back(static_cast<std::uint64_t>(out.persons));
    std::string first = recorded_name(p.first, source.errors, random);
    std::string last = recorded_name(p.last, source.errors, random);
    if (random.chance(source.errors / 3) && first.size() > 4)
      first = first.substr(0, 3 + random.below(2));  // Nickname.
    if (random.chance(source.errors / 3)) std::swap(first, last);
    if (random.chance(source.errors / 4)) first.clear();
    if (random.chance(source.errors / 8)) last.clear();
    const auto set_name = [&](std::size_t field, const std::string& name) {
      if (name.empty()) return;
      out.records.set_name(r, field, linkage::bloom_from_bytes(names.encode(name)).value(), hash_of("name", name));
    };
    set_name(0, first);
    set_name(1, last);
    if (!random.chance(source.no_date)) {
      int y = p.year;
      int m = p.month;
      int d = p.day;
      if (random.chance(source.errors / 2)) {
        switch (random.below(4)) {
          case 0:
            if (d <= 12) std::swap(m, d);
            break;
          case 1:
            m = 1;
            d = 1;
            break;
          case 2:
            y += random.chance(0.5) ? 1 : -1;
            break;
          default:
            d = 1 + static_cast<int>(random.below(28));
            break;
        }
      }
      out.records.set_date(r, 2, date_keys(y, m, d));
    }
    if (source.records_id && p.national_id != 0 && random.chance(0.85)) {
      out.records.set_key(r, 3, random.chance(0.005) ? random.next() | 1 : p.national_id);
    }
    if (!random.chance(0.03)) out.records.set_key(r, 4, hash_of("sex", std::to_string(p.sex)));
    if (!random.chance(0.1)) out.records.set_key(r, 5, hash_of("nat", std::to_string(p.nationality)));
    out.records.set_key(
        r, 6,
        hash_of("region", std::to_string(random.chance(0.1) ? random.below(40) : static_cast<std::size_t>(p.region))));
  };
  while (out.records.size() < count) {
    Person p;
    p.first = first_names.draw(random);
    p.last = last_names.draw(random);
    p.year = 1950 + static_cast<int>(random.below(60));
    p.month = 1 + static_cast<int>(random.below(12));
    p.day = 1 + static_cast<int>(random.below(28));
    p.national_id = random.chance(0.6) ? random.next() | 1 : 0;
    p.sex = static_cast<int>(random.below(2));
    p.nationality = random.chance(0.6) ? 0 : 1 + static_cast<int>(random.below(30));
    p.region = static_cast<int>(random.below(40));
    bool seen = false;
    for (std::uint32_t s = 0; s < kSources.size() && out.records.size() < count; ++s) {
      if (!random.chance(kSources[s].coverage)) continue;
      seen = true;
      add_record(p, s);
      if (random.chance(0.03) && out.records.size() < count) add_record(p, s);  // A within-source duplicate.
    }
    if (seen) ++out.persons;
  }
  return out;
}

}  // namespace rapporteur::bench
