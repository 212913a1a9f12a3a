#include "intake/intake.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <gtest/gtest.h>

#include "store/store.h"
#include "test_support.h"

namespace rapporteur::intake {
namespace {

using rapporteur::testing::letters;
using rapporteur::testing::TempDir;

constexpr const char* kProfile = R"(
name = "testbron"
[source]
code = "testbron"
name = "Testbron"
kind = "police"
[format]
type = "csv"
date_format = "dd-mm-yyyy"
[record]
mandate = "human_trafficking"
role = "victim"
required = ["exploitation_form"]
[columns]
national_id = "BSN"
first_name = "Voornaam"
last_name = "Achternaam"
birth_date = "Geb.datum"
sex = "Geslacht"
age = "Leeftijd"
exploitation_form = "Vorm uitbuiting"
region = "Gemeente"
[labels.sex]
"vrouw" = "female"
"man" = "male"
[labels.exploitation_form]
"seksuele uitbuiting" = "sexual"
"arbeidsuitbuiting" = "labour"
)";

constexpr const char* kHeader =
    "BSN;Voornaam;Achternaam;Geb.datum;Geslacht;Leeftijd;Vorm uitbuiting;Gemeente;Opmerking";

PseudonymKey test_key() {
  std::array<std::uint8_t, 32> bytes{};
  bytes[31] = 7;
  return PseudonymKey::from_bytes(bytes);
}

class LoaderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(store::open_sqlite_store(dir_ / "intake.db").value());
    ASSERT_TRUE(store_->put_region({"NL01", "Nederland", RegionLevel::kCountry, std::nullopt}));
    ASSERT_TRUE(store_->put_region({"RE05", "Amsterdam", RegionLevel::kPoliceUnit, "NL01"}));
    ASSERT_TRUE(store_->put_region({"GM0363", "Amsterdam", RegionLevel::kMunicipality, "RE05"}));
    ASSERT_TRUE(store_->put_region({"GM0599", "Rotterdam", RegionLevel::kMunicipality, "RE05"}));
    std::ofstream(dir_ / "testbron.toml") << kProfile;
    profile_ = load_profile(dir_ / "testbron.toml").value();
  }

  std::filesystem::path write(const std::string& name, const std::string& bytes) {
    const auto path = dir_ / name;
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  Result<LoadReport> load(const std::filesystem::path& file, int year = 2023,
                          ReplaceMode replace = ReplaceMode::kRefuse) {
    return load_extract(*store_, key_, profile_, {.file = file, .year = year, .replace = replace});
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  SourceProfile profile_;
  PseudonymKey key_ = test_key();
};

TEST_F(LoaderTest, LoadsANastyFileAndQuarantinesOnlyTheBadRows) {
  const auto file = write(
      "nasty.csv",
      std::string("\xEF\xBB\xBF") + kHeader + ";Extra\r\n" +
          "100000001;Anna;\"de Vries; jr\";17-05-1990;Vrouw;;Seksuele uitbuiting;GM0363;\"twee\r\nregels\";x\r\n" +
          "\r\n" + "100000002;Piet;Jansen;01-01-1980;Man;;Arbeidsuitbuiting;363\r\n" +
          "100000003;Els;Bakker;31-02-1990;Vrouw;;Seksuele uitbuiting;GM0363;;;;\r\n" +
          "100000004;Jan;Smit;01-01-1980;Man;;Onbekende vorm;GM0599\r\n");

  const auto report = load(file);

  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->rows_read, 4);
  EXPECT_EQ(report->rows_loaded, 2);
  EXPECT_EQ(report->rows_rejected, 2);
  const auto errors = store_->row_errors(report->batch_id).value();
  std::map<long, std::string> reasons;
  for (const auto& e : errors) reasons[e.row] += e.column + ": " + e.reason + " | ";
  ASSERT_EQ(reasons.size(), 2u);
  // The first record spans lines 2-3 and line 4 is empty, so Els is row 6 and Jan row 7.
  EXPECT_NE(reasons[6].find("Geb.datum: impossible date"), std::string::npos) << reasons[6];
  EXPECT_NE(reasons[6].find("12 fields"), std::string::npos) << reasons[6];
  EXPECT_NE(reasons[7].find("unknown label"), std::string::npos) << reasons[7];
  for (const auto& e : errors) {
    if (e.column == "Geb.datum") {
      EXPECT_EQ(e.value, "") << "identifying values are never kept";
    }
  }
  const auto rows = store_->registrations({}).value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].age, 33) << "age on 1 July 2023 of someone born 17 May 1990";
  EXPECT_EQ(rows[1].region_code, "GM0363") << "'363' is read as GM0363";
  EXPECT_EQ(rows[0].exploitation_form, ExploitationForm::kSexual);
  EXPECT_EQ(rows[0].name_bloom.size(), 125u);
}

// Issue 16: a row with a name but neither an id number nor a date of birth is kept and counted
// as weakly linkable; a row with no name either still cannot be identified. The stored
// comparison fields are keys and Bloom bytes, never the values (names invented).
TEST_F(LoaderTest, KeepsNameOnlyRowsAsWeaklyLinkableWithPseudonymousComparisonFields) {
  const auto file = write(
      "weak.csv",
      std::string(kHeader) + "\n" + "100000001;Wilhelmina;Zwanenburgh;17-05-1990;Vrouw;;Seksuele uitbuiting;GM0363\n" +
          ";Wilhelmina;Zwanenburgh;;Vrouw;;Seksuele uitbuiting;GM0363\n" +
          ";Wilhelmina;Zwanenburgh;;Vrouw;;Seksuele uitbuiting;GM0599\n" + ";;;;Man;;Arbeidsuitbuiting;GM0363\n");

  const auto report = load(file);

  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->rows_loaded, 3);
  EXPECT_EQ(report->rows_weakly_linkable, 2);
  EXPECT_EQ(report->rows_rejected, 1) << "no name, id or date: nothing to link on";
  const auto rows = store_->registrations({}).value();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_NE(rows[1].person_key, rows[2].person_key) << "namesakes without more are not one person by key";
  EXPECT_EQ(rows[0].comparison.first_name_key, rows[1].comparison.first_name_key);
  EXPECT_EQ(rows[0].comparison.last_name_bloom, rows[1].comparison.last_name_bloom);
  EXPECT_EQ(rows[0].comparison.last_name_bloom.size(), 125u);
  EXPECT_EQ(rows[0].comparison.birth_year_key.size(), 16u);
  EXPECT_EQ(rows[0].comparison.national_id_key, rows[0].person_key.substr(0, 16));
  EXPECT_EQ(rows[1].comparison.birth_year_key, "");
  EXPECT_EQ(rows[1].comparison.national_id_key, "");
  for (const auto& r : rows) {
    for (const std::string* field : {&r.comparison.first_name_key, &r.comparison.last_name_key,
                                     &r.comparison.birth_year_key, &r.comparison.national_id_key}) {
      EXPECT_EQ(field->find("wilhelmina"), std::string::npos);
      EXPECT_EQ(field->find("1990"), std::string::npos);
    }
  }
}

// Issue 16: a profile may map the source's own record reference, which is stored as given
// (trimmed); a longer one or one with a control character quarantines its row with a reason
// naming the field, never the value. Expected rows written out by hand from the file.
TEST_F(LoaderTest, KeepsTheRecordReferenceAsGivenAndQuarantinesABadOne) {
  std::string profile_text = kProfile;
  profile_text.replace(profile_text.find("[columns]\n"), 10, "[columns]\nrecord_id = \"Zaaknummer\"\n");
  std::ofstream(dir_ / "zaken.toml") << profile_text;
  const auto profile = load_profile(dir_ / "zaken.toml");
  ASSERT_TRUE(profile.has_value()) << profile.error().message;
  EXPECT_FALSE(is_identifying(*profile, Field::kRecordId)) << "a case number is not identifying";
  const std::string longest(64, '9');
  const std::string too_long(65, '9');
  const auto file =
      write("zaken.csv", std::string(kHeader) + ";Zaaknummer\n" +
                             "100000001;Anna;Visser;01-02-1990;Vrouw;;Seksuele uitbuiting;GM0363;; "
                             "CMS-2023-000123 \n" +
                             "100000002;Bea;Visser;01-02-1991;Vrouw;;Seksuele uitbuiting;GM0363;;\n" +
                             "100000003;Cor;Visser;01-02-1992;Man;;Arbeidsuitbuiting;GM0363;;" + longest + "\n" +
                             "100000004;Dirk;Visser;01-02-1993;Man;;Arbeidsuitbuiting;GM0363;;" + too_long + "\n" +
                             "100000005;Eva;Visser;01-02-1994;Vrouw;;Arbeidsuitbuiting;GM0363;;"
                             "CMS\x01"
                             "2023\n");

  const auto report = load_extract(*store_, key_, *profile, {.file = file, .year = 2023});

  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->rows_loaded, 3);
  EXPECT_EQ(report->rows_rejected, 2);
  const auto rows = store_->registrations({}).value();
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].record_id, std::optional<std::string>("CMS-2023-000123")) << "trimmed, otherwise as given";
  EXPECT_EQ(rows[1].record_id, std::nullopt) << "an empty cell is no reference";
  EXPECT_EQ(rows[2].record_id, std::optional<std::string>(longest));
  const auto errors = store_->row_errors(report->batch_id).value();
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[0].row, 5);
  EXPECT_EQ(errors[0].column, "Zaaknummer");
  EXPECT_NE(errors[0].reason.find("record_id"), std::string::npos) << errors[0].reason;
  EXPECT_NE(errors[0].reason.find("65 characters, at most 64"), std::string::npos) << errors[0].reason;
  EXPECT_EQ(errors[1].row, 6);
  EXPECT_EQ(errors[1].column, "Zaaknummer");
  EXPECT_NE(errors[1].reason.find("control character"), std::string::npos) << errors[1].reason;
  for (const auto& e : errors) EXPECT_EQ(e.value, "") << "a refused reference is not kept";
  const auto batches = store_->batches().value();
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].file_name, "zaken.csv") << "the quarantine's batch names the file";
}

TEST_F(LoaderTest, AProfileWithoutARecordIdColumnStoresNoReference) {
  const auto file =
      write("plain.csv", std::string(kHeader) + "\n" + "100000001;Anna;Visser;01-02-1990;Vrouw;;Seksuele uitbuiting\n");

  const auto report = load(file);

  ASSERT_TRUE(report.has_value()) << report.error().message;
  const auto rows = store_->registrations({}).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].record_id, std::nullopt);
}

TEST_F(LoaderTest, ReadsWindows1252AndMissingTrailingColumns) {
  const auto file =
      write("cp1252.csv", std::string(kHeader) + "\n" + ";Ren\xE9;Ma\xEFs;02-03-1999;Man;;Arbeidsuitbuiting\n");

  const auto report = load(file);

  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->rows_loaded, 1);
  EXPECT_NE(report->reader.find("windows-1252"), std::string::npos);
  const auto rows = store_->registrations({}).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0].region_code.has_value());
  // Without a national id the key comes from name and date of birth: the same as for UTF-8 input.
  EXPECT_EQ(rows[0].person_key, person_keys(key_, {std::nullopt, "René", "Maïs", "1999-03-02"})->primary);
}

TEST_F(LoaderTest, AFileMissingAMappedColumnLoadsNothing) {
  const auto file = write("short.csv", "BSN;Voornaam\n1;2\n");

  const auto report = load(file);

  ASSERT_FALSE(report.has_value());
  EXPECT_NE(report.error().message.find("'Achternaam'"), std::string::npos);
  EXPECT_TRUE(store_->batches().value().empty());
}

TEST_F(LoaderTest, AFileWithoutItsHeaderRowIsRefusedWithoutQuotingTheFirstRow) {
  const auto file =
      write("headless.csv", "918273645;Xylofoonia;Quaxelbeek;17-05-1990;Vrouw;;Arbeidsuitbuiting;GM0363;\n");

  const auto report = load(file);

  ASSERT_FALSE(report.has_value());
  EXPECT_NE(report.error().message.find("'BSN'"), std::string::npos) << "names the missing column";
  for (const char* secret : {"918273645", "Xylofoonia", "Quaxelbeek", "17-05-1990"}) {
    EXPECT_EQ(report.error().message.find(secret), std::string::npos) << report.error().message;
  }
}

// Builds `rows` data rows; every 100th is bad in one of five ways, recorded in `bad`.
std::string generate(int rows, std::map<long, std::string>* bad) {
  std::ostringstream out;
  out << kHeader << "\n";
  std::string previous;
  for (int i = 0; i < rows; ++i) {
    const long row_number = i + 2;
    std::string bsn = std::to_string(200000000 + i);
    std::string birth = "15-06-1985";
    std::string age;
    std::string form = i % 2 ? "Seksuele uitbuiting" : "Arbeidsuitbuiting";
    std::string region = i % 3 ? "GM0363" : "GM0599";
    std::string line;
    if (i % 100 == 99) {
      switch ((i / 100) % 5) {
        case 0:
          form = "Orgaanhandel";
          (*bad)[row_number] = "unknown label";
          break;
        case 1:
          birth = "31-04-1985";
          (*bad)[row_number] = "impossible date";
          break;
        case 2:
          age = "130";
          (*bad)[row_number] = "age must be";
          break;
        case 3:
          region = "GM9999";
          (*bad)[row_number] = "unknown municipality code GM9999";
          break;
        case 4:
          (*bad)[row_number] = "duplicate";
          line = previous;
          break;
      }
    }
    if (line.empty()) {
      line = bsn + ";Naam" + letters(i) + ";Achter" + letters(i) + ";" + birth + ";Vrouw;" + age + ";" + form + ";" +
             region;
    }
    out << line << "\n";
    previous = line;
  }
  return out.str();
}

TEST_F(LoaderTest, HundredThousandRowsWithOnePercentBadQuarantinesExactlyThose) {
  std::map<long, std::string> bad;
  const auto file = write("large.csv", generate(100'000, &bad));

  const auto report = load(file);

  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->rows_read, 100'000);
  EXPECT_EQ(report->rows_rejected, 1'000);
  EXPECT_EQ(report->rows_loaded, 99'000);
  EXPECT_EQ(store_->count_registrations({}).value(), 99'000);
  const auto errors = store_->row_errors(report->batch_id).value();
  std::map<long, std::string> found;
  for (const auto& e : errors) found[e.row] += e.reason;
  ASSERT_EQ(found.size(), bad.size());
  for (const auto& [row, expected] : bad) {
    ASSERT_TRUE(found.count(row)) << "row " << row << " should be quarantined";
    EXPECT_NE(found[row].find(expected), std::string::npos) << "row " << row << ": " << found[row];
  }
}

TEST_F(LoaderTest, ADuplicateIsTheSamePersonInTheSameRoleAndNamesItsFirstRow) {
  std::ofstream(dir_ / "rollen.toml") << R"(
name = "rollen"
[source]
code = "rollen"
kind = "police"
[format]
type = "csv"
[record]
mandate = "human_trafficking"
[columns]
national_id = "BSN"
first_name = "Voornaam"
last_name = "Achternaam"
birth_date = "Geb.datum"
role = "Rol"
[labels.role]
"slachtoffer" = "victim"
"verdachte" = "suspect"
)";
  const auto profile = load_profile(dir_ / "rollen.toml").value();
  // Row 2 and 3: one person as victim and as suspect (not duplicates). Row 4: row 2's
  // national id under another name (a duplicate: the id decides). Rows 5 and 7: one person
  // without a national id, identified by name and date of birth, whatever the spelling's
  // case and accents. Row 6: another person with the same name, born a day later.
  const auto file = write("rollen.csv",
                          "BSN;Voornaam;Achternaam;Geb.datum;Rol\n"
                          "100000001;Anna;Visser;01-02-1990;Slachtoffer\n"
                          "100000001;Anna;Visser;01-02-1990;Verdachte\n"
                          "100.000.001;Ann;Fisser;02-02-1990;slachtoffer\n"
                          ";René;Dekker;03-03-1991;Slachtoffer\n"
                          ";Rene;Dekker;04-03-1991;Slachtoffer\n"
                          ";RENÉ;dekker;03-03-1991;Slachtoffer\n");

  const auto report = load_extract(*store_, key_, profile, {.file = file, .year = 2023});

  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->rows_loaded, 4);
  EXPECT_EQ(report->rows_rejected, 2);
  std::map<long, std::string> reasons;
  const auto errors = store_->row_errors(report->batch_id).value();
  for (const auto& e : errors) reasons[e.row] += e.reason;
  ASSERT_EQ(reasons.size(), 2u);
  EXPECT_EQ(reasons[4], "duplicate: the same person is already registered in row 2");
  EXPECT_EQ(reasons[7], "duplicate: the same person is already registered in row 5");
}

TEST_F(LoaderTest, ReloadingTheSameFileIsANoOpAndReplacingIsExplicit) {
  const auto first = write("v1.csv", std::string(kHeader) +
                                         "\n100000001;A;B;01-01-1990;Vrouw;;Arbeidsuitbuiting;GM0363\n"
                                         "100000002;C;D;01-01-1991;Man;;Arbeidsuitbuiting;GM0363\n");
  const auto second =
      write("v2.csv", std::string(kHeader) + "\n100000003;E;F;01-01-1992;Vrouw;;Arbeidsuitbuiting;GM0363\n");
  const auto loaded = load(first);
  ASSERT_TRUE(loaded.has_value());

  const auto again = load(first);
  const auto refused = load(second);
  const auto replaced = load(second, 2023, ReplaceMode::kReplace);

  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->already_loaded);
  EXPECT_EQ(again->batch_id, loaded->batch_id);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kConflict);
  EXPECT_NE(refused.error().message.find("--replace"), std::string::npos);
  ASSERT_TRUE(replaced.has_value()) << replaced.error().message;
  EXPECT_EQ(replaced->replaced_batch, loaded->batch_id);
  EXPECT_EQ(store_->count_registrations({}).value(), 1);
  EXPECT_EQ(store_->count_persons().value(), 1);
  const auto batches = store_->batches().value();
  ASSERT_EQ(batches.size(), 2u);
  EXPECT_EQ(batches[0].status, store::BatchStatus::kReplaced);
  EXPECT_EQ(batches[0].replaced_by, replaced->batch_id);
  EXPECT_EQ(batches[1].file_sha256.size(), 64u);
  EXPECT_EQ(batches[1].key_id, key_.id());
}

TEST_F(LoaderTest, RefusesAnotherKeyThanTheInstancesOwn) {
  const auto file =
      write("a.csv", std::string(kHeader) + "\n100000001;A;B;01-01-1990;Vrouw;;Arbeidsuitbuiting;GM0363\n");
  ASSERT_TRUE(load(file).has_value());
  std::array<std::uint8_t, 32> other{};
  other[0] = 99;

  const auto report = load_extract(*store_, PseudonymKey::from_bytes(other), profile_, {.file = file, .year = 2024});

  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kConflict);
}

// Every byte of every file under `folder` (recursively), concatenated.
std::string all_bytes(const std::filesystem::path& folder) {
  std::string bytes;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return bytes;
}

TEST_F(LoaderTest, NoNameOrNationalIdReachesTheDatabaseOrTemporaryFiles) {
  TempDir tmp;
  const char* old_tmpdir = std::getenv("TMPDIR");
  ::setenv("TMPDIR", tmp.path().c_str(), 1);
  TempDir data;
  auto store = std::move(store::open_sqlite_store(data / "private.db").value());
  ASSERT_TRUE(store->put_region({"NL01", "Nederland", RegionLevel::kCountry, std::nullopt}));
  ASSERT_TRUE(store->put_region({"RE05", "Amsterdam", RegionLevel::kPoliceUnit, "NL01"}));
  ASSERT_TRUE(store->put_region({"GM0363", "Amsterdam", RegionLevel::kMunicipality, "RE05"}));
  const auto file =
      write("private.csv", std::string(kHeader) +
                               "\n918273645;Xylofoonia;Quaxelbeek;17-05-1990;Vrouw;;Arbeidsuitbuiting;GM0363\n"
                               "918273646;Zwierobelle;Pruttelwijk;31-02-1990;Vrouw;;Arbeidsuitbuiting;GM0363\n"
                               ";Blubbertina;Knorrevaar;17-05-1990;Vrouw;;Onbekend;GM0363\n");

  const auto report = load_extract(*store, key_, profile_, {.file = file, .year = 2023});
  const auto errors = store->row_errors(report->batch_id);
  store.reset();  // Close, so that everything is on disk.
  if (old_tmpdir)
    ::setenv("TMPDIR", old_tmpdir, 1);
  else
    ::unsetenv("TMPDIR");

  ASSERT_TRUE(report.has_value());
  EXPECT_EQ(report->rows_loaded, 1);
  EXPECT_EQ(report->rows_rejected, 2);
  const std::string stored = all_bytes(data.path()) + all_bytes(tmp.path());
  for (const char* secret : {"918273645", "918273646", "Xylofoonia", "Quaxelbeek", "xylofoonia", "Zwierobelle",
                             "Pruttelwijk", "Blubbertina", "Knorrevaar", "1990-05-17", "17-05-1990", "31-02-1990"}) {
    EXPECT_EQ(stored.find(secret), std::string::npos) << secret << " was stored";
  }
  ASSERT_TRUE(errors.has_value());
  for (const auto& e : *errors) {
    for (const char* secret : {"Zwierobelle", "Pruttelwijk", "Blubbertina", "31-02-1990"}) {
      EXPECT_EQ(e.reason.find(secret), std::string::npos);
      EXPECT_EQ(e.value.find(secret), std::string::npos);
    }
  }
}

TEST_F(LoaderTest, AKilledLoadLeavesNoneOfTheBatch) {
  std::map<long, std::string> bad;
  const auto file = write("large.csv", generate(100'000, &bad));
  const auto db = dir_ / "intake.db";
  store_.reset();
  int report[2];
  int hold[2];
  ASSERT_EQ(pipe(report), 0);
  ASSERT_EQ(pipe(hold), 0);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto store = store::open_sqlite_store(db);
    if (!store) _exit(3);
    (void)load_extract(**store, key_, profile_,
                       {.file = file, .year = 2023, .progress = [&](double, std::int64_t rows) {
                          if (rows >= 40'000) {
                            char byte = 'h';
                            if (::write(report[1], &byte, 1) != 1) _exit(4);
                            char never = 0;
                            (void)::read(hold[0], &never, 1);
                          }
                        }});
    _exit(5);
  }
  close(report[1]);
  close(hold[0]);
  char byte = 0;
  ASSERT_EQ(::read(report[0], &byte, 1), 1);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(report[0]);
  close(hold[1]);

  ASSERT_TRUE(WIFSIGNALED(status));
  auto reopened = store::open_sqlite_store(db);
  ASSERT_TRUE(reopened.has_value()) << reopened.error().message;
  EXPECT_EQ((*reopened)->count_registrations({}).value(), 0);
  EXPECT_TRUE((*reopened)->batches().value().empty());
  // And the same file then loads whole.
  const auto loaded = load_extract(**reopened, key_, profile_, {.file = file, .year = 2023});
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(loaded->rows_loaded, 99'000);
}

}  // namespace
}  // namespace rapporteur::intake
