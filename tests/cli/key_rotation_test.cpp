// Key rotation (`rapporteur key rotate`, intake/rotation.h) keeps every link: the persons and
// capture histories that linkage finds are the same before and after, and an extract loaded
// after the rotation links with the stored rows exactly as it does in an instance whose key was
// never rotated (the reference here: the same base key, no rotation).
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "cli/run_cli.h"
#include "store/store.h"
#include "test_support.h"

namespace rapporteur::cli {
namespace {

namespace fs = std::filesystem;
using rapporteur::testing::letters;
using rapporteur::testing::TempDir;
using test_support::run_cli;

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// A synthetic person: national id (or none), names, date of birth, sex.
struct Person {
  std::string bsn;
  std::string first;
  std::string last;
  std::string born;  // dd-mm-yyyy
  std::string sex;
};

std::vector<Person> people() {
  std::vector<Person> out;
  for (int i = 0; i < 30; ++i) {
    out.push_back({i % 4 == 0 ? "" : std::to_string(200000000 + i * 7907), "Vn" + letters(i + 40),
                   "Achter" + letters(i * 7 + 3),
                   std::to_string(1 + i % 27) + "-" + std::to_string(1 + i % 12) + "-" + std::to_string(1960 + i),
                   i % 3 == 0 ? "man" : "vrouw"});
  }
  return out;
}

std::string police_csv(const std::vector<Person>& all) {
  std::string csv =
      "BSN;Voornaam;Achternaam;Geb.datum;Geslacht;Mandaat;Rol;Vorm uitbuiting;Delicttype;Nationaliteit;"
      "Gemeente;Ketenfase;Datum registratie;Registratienummer\n";
  for (std::size_t i = 0; i < 20; ++i) {
    const Person& p = all[i];
    csv += p.bsn + ";" + p.first + ";" + p.last + ";" + p.born + ";" + p.sex +
           ";mensenhandel;slachtoffer;seksuele uitbuiting;;nederland;;;01-03-2023\n";
  }
  return csv;
}

// People 10..29: half seen by the police too; some without their id number and with a typo in
// the surname, so that only probabilistic linkage joins them.
std::string comensha_csv(const std::vector<Person>& all) {
  std::string csv =
      "BSN,Voornaam,Achternaam,Geboortedatum,Geslacht,Vorm uitbuiting,Nationaliteit,Gemeente,"
      "Verblijfsstatus,Datum melding,Dossiernummer\n";
  for (std::size_t i = 10; i < all.size(); ++i) {
    Person p = all[i];
    if (i % 3 == 1) {
      p.bsn.clear();
      p.last[2] = p.last[2] == 'h' ? 'g' : 'h';
    }
    csv += p.bsn + "," + p.first + "," + p.last + "," + p.born + "," + p.sex +
           ",seksuele uitbuiting,nederland,,nederlands,05-06-2023\n";
  }
  return csv;
}

// What linkage finds in 2023: both methods' capture histories and the probabilistic run. The
// run's "Person ids:" line (ids kept from the previous run) goes to `ids` when given: it
// depends on how often the instance was linked before, not only on the links.
std::string linked(const std::string& db, std::string* ids = nullptr) {
  std::string seen;
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"--db", db, "linkage", "histories", "--year", "2023", "--method", "deterministic"},
           {"--db", db, "linkage", "histories", "--year", "2023", "--method", "probabilistic"},
           {"--db", db, "linkage", "run", "--year", "2023"}}) {
    const auto outcome = run_cli(args);
    EXPECT_EQ(outcome.status, 0) << outcome.err;
    std::string out = outcome.out;
    if (const auto at = out.find("Person ids:"); at != std::string::npos) {
      const auto end = out.find('\n', at);
      if (ids != nullptr) *ids = out.substr(at, end - at);
      out.erase(at, end == std::string::npos ? std::string::npos : end + 1 - at);
    }
    seen += out + "\n";
  }
  return seen;
}

std::set<std::string> person_keys(const fs::path& db) {
  auto store = store::open_sqlite_store(db);
  EXPECT_TRUE(store.has_value());
  const auto registrations = (*store)->registrations({});
  EXPECT_TRUE(registrations.has_value());
  std::set<std::string> keys;
  for (const auto& r : *registrations) keys.insert(r.person_key);
  return keys;
}

TEST(KeyRotation, KeepsEveryLinkAndNewExtractsLinkAsWithTheOldKey) {
  TempDir dir;
  fs::create_directories(dir / "rotated");
  fs::create_directories(dir / "reference");
  const std::string rotated = (dir / "rotated" / "r.db").string();
  const std::string reference = (dir / "reference" / "r.db").string();
  const auto all = people();
  write_text(dir / "politie.csv", police_csv(all));
  write_text(dir / "comensha.csv", comensha_csv(all));
  const auto load = [&](const std::string& db, const std::string& profile, const std::string& key) {
    return run_cli({"--db", db, "--key", key, "intake", "load", (dir / (profile + ".csv")).string(), "--profile",
                    RAPPORTEUR_SOURCE_DIR "/profiles/" + profile + ".toml", "--year", "2023"});
  };
  const std::string rotated_key = (dir / "rotated" / "pseudonym.key").string();
  const std::string reference_key = (dir / "reference" / "pseudonym.key").string();
  for (const std::string& db : {rotated, reference}) ASSERT_EQ(run_cli({"--db", db, "init"}).status, 0);
  ASSERT_EQ(run_cli({"--db", rotated, "key", "init"}).status, 0);
  fs::copy_file(rotated_key, reference_key);
  fs::copy_file(rotated_key, dir / "old.key");
  for (const auto& [db, key] : {std::pair{rotated, rotated_key}, std::pair{reference, reference_key}}) {
    const auto loaded = load(db, "politie", key);
    ASSERT_EQ(loaded.status, 0) << loaded.err;
  }
  const std::string before = linked(rotated);
  const auto keys_before = person_keys(rotated);
  ASSERT_EQ(before, linked(reference));
  const std::vector<std::string> across = {"--db", rotated,       "linkage", "across",    "--first-year",
                                           "2023", "--last-year", "2023",    "--keep-ids"};
  const auto across_before = run_cli(across);
  ASSERT_EQ(across_before.status, 0) << across_before.err;
  EXPECT_NE(across_before.out.find("0 kept (0 with the same records), 20 new, 0 retired"), std::string::npos)
      << across_before.out;

  const auto rotation = run_cli({"--db", rotated, "key", "rotate"});

  ASSERT_EQ(rotation.status, 0) << rotation.err;
  EXPECT_NE(rotation.out.find("20 registrations re-keyed"), std::string::npos) << rotation.out;
  std::string ids;
  EXPECT_EQ(linked(rotated, &ids), before) << "a link was lost or made by the rotation";
  EXPECT_EQ(ids, "Person ids: 20 kept (20 with the same records), 0 new, 0 retired")
      << "every person keeps its id through the rotation";
  const auto across_after = run_cli(across);
  EXPECT_NE(across_after.out.find("Lasting person ids (every year and role of human_trafficking): 20 kept (20 with "
                                  "the same records), 0 new, 0 retired"),
            std::string::npos)
      << "the lasting ids survive the rotation too: " << across_after.out;
  const auto keys_after = person_keys(rotated);
  EXPECT_EQ(keys_after.size(), keys_before.size());
  for (const auto& key : keys_after) EXPECT_FALSE(keys_before.contains(key)) << "a person key was not re-keyed";
  EXPECT_FALSE(fs::exists(rotated_key + ".next"));
  // The old key is retired: loading with it is refused.
  const auto with_old_key = load(rotated, "comensha", (dir / "old.key").string());
  EXPECT_EQ(with_old_key.status, 1);
  EXPECT_NE(with_old_key.err.find("made with key"), std::string::npos) << with_old_key.err;

  // A new extract links to the stored rows as it does under the never-rotated key, also after
  // a second rotation.
  for (const auto& [db, key] : {std::pair{rotated, rotated_key}, std::pair{reference, reference_key}}) {
    const auto loaded = load(db, "comensha", key);
    ASSERT_EQ(loaded.status, 0) << loaded.err;
  }
  const std::string with_new_extract = linked(reference);
  EXPECT_NE(with_new_extract, before);
  EXPECT_EQ(linked(rotated), with_new_extract);
  ASSERT_EQ(run_cli({"--db", rotated, "key", "rotate"}).status, 0);
  EXPECT_EQ(linked(rotated), with_new_extract);
}

}  // namespace
}  // namespace rapporteur::cli
