// Loading a 1,000,000-row extract through intake, with and without the Bloom-filter
// encodings, against the anchor: sqlite3's own `.import` of the same file into a fresh
// database, timed in the same run. Target: without encodings within 2x of `.import`.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "intake/intake.h"
#include "store/store.h"
#include "test_support.h"

namespace {

using Clock = std::chrono::steady_clock;
using rapporteur::testing::letters;
using rapporteur::testing::TempDir;

const int kRows = std::getenv("BENCH_ROWS") ? std::atoi(std::getenv("BENCH_ROWS")) : 1'000'000;

constexpr const char* kProfile = R"(
name = "bench"
[source]
code = "bench"
kind = "police"
[format]
type = "csv"
delimiter = ";"
encoding = "utf-8"
[record]
mandate = "human_trafficking"
role = "victim"
[columns]
national_id = "BSN"
first_name = "Voornaam"
last_name = "Achternaam"
birth_date = "Geb.datum"
sex = "Geslacht"
exploitation_form = "Vorm uitbuiting"
region = "Gemeente"
[labels.sex]
"vrouw" = "female"
"man" = "male"
[labels.exploitation_form]
"seksuele uitbuiting" = "sexual"
"arbeidsuitbuiting" = "labour"
)";

void write_extract(const std::filesystem::path& path) {
  std::ofstream out(path);
  out << "BSN;Voornaam;Achternaam;Geb.datum;Geslacht;Vorm uitbuiting;Gemeente\n";
  for (int i = 0; i < kRows; ++i) {
    out << 300000000 + i << ";Naam" << letters(i) << ";Achter" << letters(i * 7) << ";"
        << fmt::format("{:02}-{:02}-{}", 1 + i % 28, 1 + i % 12, 1950 + i % 60) << ";" << (i % 3 ? "Vrouw" : "Man")
        << ";" << (i % 2 ? "Seksuele uitbuiting" : "Arbeidsuitbuiting") << ";" << (i % 2 ? "GM0363" : "GM0599") << "\n";
  }
}

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double time_intake(const TempDir& dir, const std::filesystem::path& extract, rapporteur::intake::Encodings encodings,
                   const std::string& name) {
  auto store = rapporteur::store::open_sqlite_store(dir / (name + ".db")).value();
  (void)store->put_region({"NL01", "Nederland", rapporteur::RegionLevel::kCountry, std::nullopt});
  (void)store->put_region({"GM0363", "Amsterdam", rapporteur::RegionLevel::kMunicipality, "NL01"});
  (void)store->put_region({"GM0599", "Rotterdam", rapporteur::RegionLevel::kMunicipality, "NL01"});
  const auto profile = rapporteur::intake::load_profile(dir / "bench.toml").value();
  std::array<std::uint8_t, 32> bytes{};
  bytes[0] = 1;
  const auto key = rapporteur::intake::PseudonymKey::from_bytes(bytes);
  const auto start = Clock::now();
  const auto report =
      rapporteur::intake::load_extract(*store, key, profile, {.file = extract, .year = 2023, .encodings = encodings});
  const double seconds = seconds_since(start);
  if (!report || report->rows_loaded != kRows) {
    std::fprintf(stderr, "intake failed: %s\n", report ? "rows missing" : report.error().message.c_str());
    std::exit(1);
  }
  const auto& t = report->timings;
  std::fprintf(stderr,
               "  %s: %.2f s: before rows %.2f s; reader CPU %.2f s; writer CPU %.2f s, waited %.2f s; "
               "after rows %.2f s\n",
               name.c_str(), seconds, t.before_rows, t.read_cpu, t.write_cpu, t.write_waiting, t.after_rows);
  store.reset();  // Closing checkpoints the log into the database file.
  std::fprintf(stderr, "  %s: database %.0f MB\n", name.c_str(),
               static_cast<double>(std::filesystem::file_size(dir / (name + ".db"))) / 1e6);
  return seconds;
}

}  // namespace

int main() {
  TempDir dir;
  const auto extract = dir / "extract.csv";
  write_extract(extract);
  std::ofstream(dir / "bench.toml") << kProfile;

  const auto anchor_db = dir / "anchor.db";
  const std::string command = fmt::format(
      "sqlite3 '{}' -cmd 'PRAGMA journal_mode=WAL' -cmd 'PRAGMA synchronous=FULL' "
      "-cmd '.mode csv' -cmd '.separator ;' '.import {} extract' > /dev/null",
      anchor_db.string(), extract.string());
  auto start = Clock::now();
  if (std::system(command.c_str()) != 0) {
    std::fprintf(stderr, "sqlite3 .import failed (is the sqlite3 package installed?)\n");
    return 1;
  }
  const double anchor = seconds_since(start);
  std::fprintf(stderr, "  anchor: database %.0f MB, extract %.0f MB\n",
               static_cast<double>(std::filesystem::file_size(anchor_db)) / 1e6,
               static_cast<double>(std::filesystem::file_size(extract)) / 1e6);
  // BENCH_ONLY=plain or =bloom runs one of the two loads (for profiling); the other reports 0.
  const std::string only = std::getenv("BENCH_ONLY") ? std::getenv("BENCH_ONLY") : "";
  const double plain =
      only == "bloom" ? 0.0 : time_intake(dir, extract, rapporteur::intake::Encodings::kWithoutBloomFilters, "plain");
  const double bloom =
      only == "plain" ? 0.0 : time_intake(dir, extract, rapporteur::intake::Encodings::kWithBloomFilters, "bloom");

  fmt::print("anchor sqlite3 .import: {:.2f} s ({:.0f} rows/s)\n", anchor, kRows / anchor);
  fmt::print("intake without Bloom encodings: {:.2f} s ({:.0f} rows/s), ratio to anchor {:.2f} (target <= 2)\n", plain,
             kRows / plain, plain / anchor);
  fmt::print("intake with Bloom encodings: {:.2f} s ({:.0f} rows/s), ratio to anchor {:.2f}\n", bloom, kRows / bloom,
             bloom / anchor);
  return 0;
}
