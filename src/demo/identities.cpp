#include <array>
#include <cctype>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "demo/internal/identities.h"

namespace rapporteur::demo::internal {
namespace {

template <std::size_t N>
std::string pick(const std::array<std::string_view, N>& names, const Uniform& uniform) {
  return std::string(names[static_cast<std::size_t>(uniform() * N) % N]);
}

constexpr std::array<std::string_view, 24> kDutchGiven{
    "Anna", "Sophie", "Emma",  "Julia", "Lotte", "Sanne", "Fleur", "Zoë",   "Noa",   "Iris",  "Eva",  "Femke",
    "Daan", "Bram",   "Jesse", "Thijs", "Sem",   "Lars",  "Ruben", "Joris", "Niels", "Stijn", "Mees", "Luuk"};
constexpr std::array<std::string_view, 24> kDutchFamily{
    "de Jong",  "Jansen",      "de Vries", "van den Berg", "van Dijk", "Bakker",   "Janssen", "Visser",
    "Smit",     "Meijer",      "de Boer",  "Mulder",       "de Groot", "Bos",      "Vos",     "Peters",
    "Hendriks", "van Leeuwen", "Dekker",   "Brouwer",      "de Wit",   "Dijkstra", "Smits",   "de Graaf"};
constexpr std::array<std::string_view, 12> kEasternGiven{"Anna",  "Maria",  "Katarzyna", "Ioana",  "Elena",  "Olena",
                                                         "Piotr", "Andrei", "Mihai",     "Tomasz", "Dmytro", "Zsófia"};
constexpr std::array<std::string_view, 12> kEasternFamily{"Nowak",   "Kowalski", "Wiśniewska", "Popescu",
                                                          "Ionescu", "Dumitru",  "Shevchenko", "Kovalenko",
                                                          "Nagy",    "Szabó",    "Ivanova",    "Georgiev"};
constexpr std::array<std::string_view, 12> kAfricanGiven{"Blessing", "Joy",   "Precious", "Faith",  "Grace", "Esther",
                                                         "Chinedu",  "Emeka", "Samuel",   "Daniel", "Aisha", "Fatou"};
constexpr std::array<std::string_view, 12> kAfricanFamily{"Okafor", "Adeyemi", "Okonkwo", "Eze",
                                                          "Nwosu",  "Mugisha", "Nakato",  "Okello",
                                                          "Ceesay", "Jallow",  "Tesfaye", "Haile"};
constexpr std::array<std::string_view, 12> kMaghrebGiven{"Fatima",  "Yasmina", "Leila", "Amira", "Zeynep", "Elif",
                                                         "Mohamed", "Youssef", "Omar",  "Karim", "Mehmet", "Ahmad"};
constexpr std::array<std::string_view, 12> kMaghrebFamily{"El Amrani", "Benali",  "Bouzid", "Haddad",
                                                          "Yılmaz",    "Kaya",    "Demir",  "Saleh",
                                                          "Al-Hassan", "Mansour", "Cherif", "Ait Ali"};
constexpr std::array<std::string_view, 12> kAsianGiven{"Linh",  "Mai",   "Hoa",   "Wei",  "Li",  "Siriporn",
                                                       "Malee", "Maria", "Priya", "Minh", "Jun", "Arjun"};
constexpr std::array<std::string_view, 12> kAsianFamily{"Nguyen", "Tran",   "Le",     "Pham",  "Wang",   "Zhang",
                                                        "Chen",   "Srisuk", "Santos", "Reyes", "Sharma", "Patel"};
constexpr std::array<std::string_view, 12> kOtherGiven{"Ana", "Camila", "Juliana", "Sharon", "Rachel", "Lena",
                                                       "Mia", "Lucas",  "Pedro",   "Rajesh", "Jonas",  "Noah"};
constexpr std::array<std::string_view, 12> kOtherFamily{"Silva",   "Santos",  "Oliveira", "Pinas",  "Sitaram", "Müller",
                                                        "Schmidt", "Peeters", "Maes",     "Dubois", "Lambert", "Costa"};

enum class Origin { kDutch, kEastern, kAfrican, kMaghreb, kAsian, kOther };

Origin origin_of(const std::string& nationality) {
  static constexpr std::array<std::string_view, 6> kEastern{"PL", "RO", "HU", "BG", "UA", "DE"};
  static constexpr std::array<std::string_view, 5> kAfrican{"NG", "UG", "GM", "ER", "GH"};
  static constexpr std::array<std::string_view, 4> kMaghreb{"MA", "DZ", "TR", "SY"};
  static constexpr std::array<std::string_view, 5> kAsian{"VN", "CN", "TH", "PH", "IN"};
  const auto in = [&](const auto& list) {
    for (const auto& code : list) {
      if (code == nationality) return true;
    }
    return false;
  };
  if (nationality == "NL") return Origin::kDutch;
  if (in(kEastern)) return Origin::kEastern;
  if (in(kAfrican)) return Origin::kAfrican;
  if (in(kMaghreb)) return Origin::kMaghreb;
  if (in(kAsian)) return Origin::kAsian;
  return Origin::kOther;
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
int days_in_month(int y, int m) {
  static constexpr std::array<int, 12> kDays{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

CalendarDate random_day(int year, const Uniform& uniform) {
  const int days = leap(year) ? 366 : 365;
  int day_of_year = static_cast<int>(uniform() * days);
  int month = 1;
  while (day_of_year >= days_in_month(year, month)) {
    day_of_year -= days_in_month(year, month);
    ++month;
  }
  return {year, month, day_of_year + 1};
}

// Nine digits whose weighted sum (9..2, then -1) is NOT divisible by 11: never a valid BSN.
std::string failing_eleven_test(const Uniform& uniform) {
  for (;;) {
    std::string digits;
    int sum = 0;
    for (int i = 0; i < 9; ++i) {
      const int d = i == 0 ? 1 + static_cast<int>(uniform() * 9) : static_cast<int>(uniform() * 10);
      digits += static_cast<char>('0' + d);
      sum += (i < 8 ? 9 - i : -1) * d;
    }
    if (sum % 11 != 0) return digits;
  }
}

}  // namespace

std::string CalendarDate::iso() const { return fmt::format("{:04}-{:02}-{:02}", year, month, day); }

PersonIdentity make_identity(const std::string& nationality, int age, int year, const Uniform& uniform) {
  PersonIdentity id;
  switch (origin_of(nationality)) {
    case Origin::kDutch:
      id.first_name = pick(kDutchGiven, uniform);
      id.last_name = pick(kDutchFamily, uniform);
      break;
    case Origin::kEastern:
      id.first_name = pick(kEasternGiven, uniform);
      id.last_name = pick(kEasternFamily, uniform);
      break;
    case Origin::kAfrican:
      id.first_name = pick(kAfricanGiven, uniform);
      id.last_name = pick(kAfricanFamily, uniform);
      break;
    case Origin::kMaghreb:
      id.first_name = pick(kMaghrebGiven, uniform);
      id.last_name = pick(kMaghrebFamily, uniform);
      break;
    case Origin::kAsian:
      id.first_name = pick(kAsianGiven, uniform);
      id.last_name = pick(kAsianFamily, uniform);
      break;
    case Origin::kOther:
      id.first_name = pick(kOtherGiven, uniform);
      id.last_name = pick(kOtherFamily, uniform);
      break;
  }
  // First contact falls in the first ten months, leaving room for later registrations.
  id.first_contact = random_day(year, uniform);
  if (id.first_contact.month > 10) id.first_contact.month -= 2;
  // A birthday on or before the contact day makes the age at contact exactly `age`.
  CalendarDate birthday = random_day(2001, uniform);  // 2001: no 29 February.
  const bool passed = birthday.month < id.first_contact.month ||
                      (birthday.month == id.first_contact.month && birthday.day <= id.first_contact.day);
  id.birth = {year - age - (passed ? 0 : 1), birthday.month, birthday.day};
  if (nationality == "NL" || uniform() < 0.33) id.national_id = failing_eleven_test(uniform);
  return id;
}

CalendarDate add_days_within_year(const CalendarDate& date, int offset_days) {
  CalendarDate d = date;
  for (int i = 0; i < offset_days; ++i) {
    if (d.day < days_in_month(d.year, d.month)) {
      ++d.day;
    } else if (d.month < 12) {
      ++d.month;
      d.day = 1;
    } else {
      break;
    }
  }
  return d;
}

std::string with_typo(const std::string& name, const Uniform& uniform) {
  // Swap two adjacent ASCII letters; multi-byte characters stay intact.
  std::vector<std::size_t> positions;
  for (std::size_t i = 0; i + 1 < name.size(); ++i) {
    const auto a = static_cast<unsigned char>(name[i]);
    const auto b = static_cast<unsigned char>(name[i + 1]);
    if (a < 0x80 && b < 0x80 && std::isalpha(a) && std::isalpha(b) && a != b) positions.push_back(i);
  }
  if (positions.empty()) return name + "e";
  std::string out = name;
  const std::size_t at =
      positions[static_cast<std::size_t>(uniform() * static_cast<double>(positions.size())) % positions.size()];
  std::swap(out[at], out[at + 1]);
  return out;
}

}  // namespace rapporteur::demo::internal
