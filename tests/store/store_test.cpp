#include "store/store.h"

#include "store/internal/migrations.h"

#include <sqlite3.h>

#include <array>
#include <fstream>

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapporteur::store {
namespace {

using rapporteur::testing::TempDir;

// Reads a value straight from the file with the SQLite C API: an independent view of what the
// store wrote.
std::int64_t query_int(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &stmt, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  EXPECT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  const std::int64_t value = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return value;
}

void execute(const std::filesystem::path& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  sqlite3_close(db);
}

Registration victim(std::string key, int year) {
  Registration r;
  r.source_code = "politie";
  r.person_key = std::move(key);
  r.year = year;
  r.exploitation_form = ExploitationForm::kSexual;
  r.sex = Sex::kFemale;
  r.age = 19;
  r.region_code = "GM0363";
  return r;
}

std::unique_ptr<Store> open_seeded(const std::filesystem::path& path) {
  auto store = open_sqlite_store(path);
  EXPECT_TRUE(store.has_value()) << store.error().message;
  auto& s = **store;
  EXPECT_TRUE(s.put_source({"politie", "Nationale Politie", SourceKind::kPolice}));
  EXPECT_TRUE(s.put_region({"NL01", "Nederland", RegionLevel::kCountry, std::nullopt}));
  EXPECT_TRUE(s.put_region({"RE05", "Amsterdam", RegionLevel::kPoliceUnit, "NL01"}));
  EXPECT_TRUE(s.put_region({"GM0363", "Amsterdam", RegionLevel::kMunicipality, "RE05"}));
  return std::move(*store);
}

TEST(OpenSqliteStore, MigratesAnEmptyDatabaseToTheLatestVersion) {
  TempDir dir;
  const auto path = dir / "new.db";

  const auto store = open_sqlite_store(path);

  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->schema_version(), latest_schema_version());
  EXPECT_EQ(query_int(path, "PRAGMA user_version"), latest_schema_version());
  // One row per migration (numbers may skip ones another branch adds: internal/migrations.h).
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM schema_migrations"), static_cast<int>(internal::migrations().size()));
  EXPECT_EQ(query_int(path, "SELECT max(version) FROM schema_migrations"), latest_schema_version());
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'registrations'"), 1);
}

TEST(OpenSqliteStore, UsesWriteAheadLogging) {
  TempDir dir;
  const auto path = dir / "wal.db";
  const auto store = open_seeded(path);

  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0)), "wal");
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(OpenSqliteStore, UpgradesAnOlderSchemaKeepingItsData) {
  TempDir dir;
  const auto path = dir / "old.db";
  {
    auto v1 = open_sqlite_store(path, {.target_version = 1});
    ASSERT_TRUE(v1.has_value());
    ASSERT_EQ((*v1)->schema_version(), 1);
    ASSERT_TRUE((*v1)->put_source({"kmar", "Koninklijke Marechaussee", SourceKind::kBorderPolice}));
  }

  const auto store = open_sqlite_store(path);

  ASSERT_TRUE(store.has_value());
  EXPECT_EQ((*store)->schema_version(), latest_schema_version());
  const auto sources = (*store)->sources();
  ASSERT_TRUE(sources.has_value());
  ASSERT_EQ(sources->size(), 1u);
  EXPECT_EQ(sources->front().code, "kmar");
}

// Version 7 moved the person key from a persons table into the registrations; data written
// under version 6 (by plain SQL, as that schema had it) must come through with every key.
TEST(OpenSqliteStore, UpgradeMovesPersonKeysIntoTheRegistrations) {
  TempDir dir;
  const auto path = dir / "v6.db";
  { ASSERT_TRUE(open_sqlite_store(path, {.target_version = 6}).has_value()); }
  execute(path,
          "INSERT INTO sources (id, code, name, kind) VALUES (1, 'politie', 'Nationale Politie', 'police');"
          "INSERT INTO regions (code, name, level, parent_code) VALUES ('NL01', 'Nederland', 'country', NULL);"
          "INSERT INTO persons (id, key) VALUES (7, 'aaa'), (9, 'bbb');"
          "INSERT INTO registrations (source_id, person_id, year, mandate, role, exploitation_form, sex, "
          "residence_status) VALUES (1, 9, 2021, 'human_trafficking', 'victim', 'sexual', 'female', 'unknown'),"
          "(1, 7, 2021, 'human_trafficking', 'victim', 'labour', 'male', 'unknown'),"
          "(1, 9, 2022, 'human_trafficking', 'victim', 'sexual', 'female', 'unknown');");

  const auto store = open_sqlite_store(path);

  ASSERT_TRUE(store.has_value()) << store.error().message;
  const auto all = (*store)->registrations({});
  ASSERT_TRUE(all.has_value()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].person_key, "bbb");
  EXPECT_EQ((*all)[1].person_key, "aaa");
  EXPECT_EQ((*all)[1].exploitation_form, ExploitationForm::kLabour);
  EXPECT_EQ((*all)[2].person_key, "bbb");
  EXPECT_EQ((*all)[2].year, 2022);
  EXPECT_EQ((*store)->count_persons().value(), 2);
}

// Hex keys (the keyed hashes of intake) are stored as their bytes, any other key as text; what
// comes back is the key that went in, and two different keys never become one person.
TEST(Registrations, KeysComeBackAsWrittenAndHexKeysAreStoredAsBytes) {
  TempDir dir;
  const auto path = dir / "keys.db";
  const auto store = open_seeded(path);
  const std::string hmac = "0f1e2d3c4b5a69788796a5b4c3d2e1f000112233445566778899aabbccddeeff";
  Registration with_name = victim(hmac, 2021);
  with_name.name_key = "00ff";
  ASSERT_TRUE(store->add_registrations({with_name, victim("ab", 2021), victim("AB", 2021), victim("abc", 2021),
                                        victim("p1", 2021), victim(hmac, 2022)}));

  const auto all = store->registrations({}).value();

  ASSERT_EQ(all.size(), 6u);
  EXPECT_EQ(all[0].person_key, hmac);
  EXPECT_EQ(all[0].name_key, "00ff");
  EXPECT_EQ(all[1].person_key, "ab");
  EXPECT_EQ(all[2].person_key, "AB");
  EXPECT_EQ(all[3].person_key, "abc");
  EXPECT_EQ(all[4].person_key, "p1");
  EXPECT_EQ(all[5].person_key, hmac);
  EXPECT_EQ(all[1].name_key, std::nullopt);
  EXPECT_EQ(store->count_persons().value(), 5) << "'ab' and 'AB' are two people; the hash is one";
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM registrations WHERE typeof(person_key) = 'blob'"), 3);
  EXPECT_EQ(query_int(path, "SELECT length(person_key) FROM registrations WHERE id = 1"), 32);
  EXPECT_EQ(query_int(path, "SELECT typeof(name_key) = 'blob' FROM registrations WHERE id = 1"), 1);
}

// Version 8 packs the hex keys version 7 stored as text; the keys read back unchanged.
TEST(OpenSqliteStore, UpgradePacksHexKeysAndKeepsTheOthers) {
  TempDir dir;
  const auto path = dir / "v7.db";
  { ASSERT_TRUE(open_sqlite_store(path, {.target_version = 7}).has_value()); }
  execute(path,
          "INSERT INTO sources (id, code, name, kind) VALUES (1, 'politie', 'Nationale Politie', 'police');"
          "INSERT INTO registrations (source_id, person_key, year, mandate, role, exploitation_form, sex, "
          "residence_status, name_key) VALUES "
          "(1, 'c0ffee', 2021, 'human_trafficking', 'victim', 'sexual', 'female', 'unknown', '0a0b'),"
          "(1, 'Persoon-1', 2021, 'human_trafficking', 'victim', 'labour', 'male', 'unknown', NULL),"
          "(1, 'c0ffee', 2022, 'human_trafficking', 'victim', 'sexual', 'female', 'unknown', NULL);");

  const auto store = open_sqlite_store(path);

  ASSERT_TRUE(store.has_value()) << store.error().message;
  const auto all = (*store)->registrations({}).value();
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].person_key, "c0ffee");
  EXPECT_EQ(all[0].name_key, "0a0b");
  EXPECT_EQ(all[1].person_key, "Persoon-1");
  EXPECT_EQ(all[2].person_key, "c0ffee");
  EXPECT_EQ((*store)->count_persons().value(), 2);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM registrations WHERE typeof(person_key) = 'blob'"), 2);
  EXPECT_EQ(query_int(path, "SELECT typeof(person_key) = 'text' FROM registrations WHERE id = 2"), 1);
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// The values planted in a version 9 database below (invented), as written and lower-cased.
constexpr std::array<const char*, 6> kPlanted{"Zwanenburgh-Qvist", "zwanenburgh-qvist",  "987654321",
                                              "31-02-1987",        "Kievitslaan 88-III", "kievitslaan 88-iii"};

// Version 10 removes values that earlier versions kept with quarantined rows, and the parts of
// reasons and job messages that quoted them, from the tables and from the file's bytes.
TEST(OpenSqliteStore, UpgradeRemovesQuarantinedValuesFromTheTablesAndTheFile) {
  TempDir dir;
  const auto path = dir / "v9.db";
  { ASSERT_TRUE(open_sqlite_store(path, {.target_version = 9}).has_value()); }
  execute(path,
          "INSERT INTO batches (id, source_code, profile, year, file_name, file_sha256, key_id, reader, loaded_at, "
          "status) VALUES (1, 'politie', 'politie', 2023, 'p.csv', 'aa', 'k', 'csv', '2026-01-01T00:00:00Z', 'active');"
          "INSERT INTO quarantine (batch_id, row_number, column_name, reason, value) VALUES "
          "(1, 3, 'Geslacht', 'unknown label for sex; expected one of ''man'', ''vrouw''', 'Zwanenburgh-Qvist'),"
          "(1, 4, 'Verblijf', 'unknown residence status ''zwanenburgh-qvist''; expected one of: dutch, eu', "
          "'Zwanenburgh-Qvist'),"
          "(1, 5, 'Nationaliteit', 'nationality is not an ISO 3166-1 alpha-2 code or a known label', '987654321'),"
          "(1, 6, 'Vorm', 'unknown label for exploitation_form; expected one of ''arbeidsuitbuiting''', "
          "'31-02-1987'),"
          "(1, 7, 'Gemeente', 'unknown municipality code GM1987', '1987'),"
          "(1, 8, 'Geb.datum', 'age at registration would be 130', ''),"
          "(1, 9, 'Adres', 'an older reason quoting ''kievitslaan 88-iii'' in another form', 'Kievitslaan 88-III'),"
          "(1, 10, 'Geb.datum', 'impossible date: no such day in that month', ''),"
          "(1, 11, '', 'duplicate: the same person is already registered in row 2', '');"
          "INSERT INTO jobs (kind, title, owner, started, status, messages) VALUES ('intake', 'Laden', 'rob', "
          "'2026-01-01T00:00:00Z', 'failed', 'error: p.csv: column ''BSN'' (national_id) is not in the header; "
          "the file has ''987654321'', ''Zwanenburgh-Qvist''\n');");
  for (const char* value : kPlanted) {
    ASSERT_NE(file_bytes(path).find(value), std::string::npos) << value << " should be in the file before";
  }

  auto store = open_sqlite_store(path);
  ASSERT_TRUE(store.has_value()) << store.error().message;
  const std::string while_open = file_bytes(path) + file_bytes(path.string() + "-wal");
  const auto errors = (*store)->row_errors(1).value();
  const auto job = (*store)->job(1).value();
  store->reset();
  const std::string closed = file_bytes(path) + file_bytes(path.string() + "-wal");

  for (const char* value : kPlanted) {
    EXPECT_EQ(while_open.find(value), std::string::npos) << value;
    EXPECT_EQ(closed.find(value), std::string::npos) << value;
    EXPECT_EQ(job.messages.find(value), std::string::npos) << value;
  }
  ASSERT_EQ(errors.size(), 9u);
  for (const auto& e : errors) EXPECT_EQ(e.value, "") << "row " << e.row;
  // Expected reasons written by hand from the rule in docs/intake.md.
  EXPECT_EQ(errors[0].reason, "unknown label for sex; expected one of 'man', 'vrouw' (value withheld)");
  EXPECT_EQ(errors[1].reason, "unknown residence status (value withheld)");
  EXPECT_EQ(errors[2].reason, "nationality is not an ISO 3166-1 alpha-2 code or a known label (value withheld)");
  EXPECT_EQ(errors[4].reason, "unknown municipality code (value withheld)");
  EXPECT_EQ(errors[5].reason, "age at registration would be outside 0..120 (value withheld)");
  EXPECT_EQ(errors[6].reason, "an older reason quoting (value withheld)");
  EXPECT_EQ(errors[7].reason, "impossible date: no such day in that month") << "reasons without values stay";
  EXPECT_EQ(errors[8].reason, "duplicate: the same person is already registered in row 2");
  EXPECT_EQ(errors[7].column, "Geb.datum");
  EXPECT_EQ(errors[7].row, 10);
  EXPECT_NE(job.messages.find("column 'BSN' (national_id) is not in the header"), std::string::npos) << job.messages;
}

// Version 14 lets a job end cancelled; jobs recorded before keep every field.
TEST(OpenSqliteStore, UpgradeKeepsJobsAndLetsAJobEndCancelled) {
  TempDir dir;
  const auto path = dir / "v11.db";
  { ASSERT_TRUE(open_sqlite_store(path, {.target_version = 11}).has_value()); }
  execute(path,
          "INSERT INTO jobs (id, kind, title, owner, started, finished, status, output) VALUES "
          "(7, 'estimate', 'Schatting', 'rob', '2026-12-01T10:00:00Z', '2026-12-01T10:05:00Z', 'done', '{}'),"
          "(8, 'estimate', 'Schatting', 'rob', '2026-12-01T11:00:00Z', '', 'running', '');");

  auto store = open_sqlite_store(path);

  ASSERT_TRUE(store.has_value()) << store.error().message;
  const auto kept = (*store)->job(7).value();
  EXPECT_EQ(kept.status, "done");
  EXPECT_EQ(kept.output, "{}");
  EXPECT_EQ(kept.finished, "2026-12-01T10:05:00Z");
  ASSERT_TRUE((*store)->finish_job(8, "cancelled", "", "stopped", "2026-12-01T11:01:00Z").has_value());
  EXPECT_EQ((*store)->job(8).value().status, "cancelled");
  EXPECT_FALSE((*store)->finish_job(8, "vanished", "", "", "2026-12-01T11:02:00Z").has_value());
}

// Version 11 adds the comparison fields; registrations loaded before keep every field and
// have none (they were never computed for them). Read at the latest version: the store reads
// registrations with every column of the latest schema (18 added record_id).
TEST(OpenSqliteStore, UpgradeAddsEmptyComparisonFieldsToOlderRegistrations) {
  TempDir dir;
  const auto path = dir / "v10.db";
  { ASSERT_TRUE(open_sqlite_store(path, {.target_version = 10}).has_value()); }
  execute(path,
          "INSERT INTO sources (id, code, name, kind) VALUES (1, 'politie', 'Politie', 'police');"
          "INSERT INTO registrations (source_id, person_key, year, mandate, role, exploitation_form, sex, "
          "residence_status) VALUES (1, 'p1', 2021, 'human_trafficking', 'victim', 'sexual', 'female', 'unknown');");

  auto store = open_sqlite_store(path);

  ASSERT_TRUE(store.has_value()) << store.error().message;
  EXPECT_EQ((*store)->schema_version(), latest_schema_version());
  const auto rows = (*store)->registrations({}).value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].person_key, "p1");
  EXPECT_EQ(rows[0].comparison, ComparisonKeys{});
}

TEST(AddRegistrations, RoundTripsTheComparisonFields) {
  TempDir dir;
  const auto store = open_seeded(dir / "comparison.db");
  Registration r = victim("p1", 2021);
  // Invented key values of the stored form (16 hex digits) and raw Bloom bytes with a zero.
  r.comparison = {.first_name_bloom = std::string("\x01\x00\xff", 3),
                  .last_name_bloom = std::string(125, '\x10'),
                  .first_name_key = "0123456789abcdef",
                  .last_name_key = "fedcba9876543210",
                  .birth_year_key = "1111111111111111",
                  .birth_year_pair_key = "2222222222222222",
                  .birth_year_pair_odd_key = "3333333333333333",
                  .birth_month_key = "4444444444444444",
                  .birth_day_key = "5555555555555555",
                  .birth_first_of_january = true,
                  .national_id_key = "6666666666666666"};
  Registration without = victim("p2", 2021);

  ASSERT_TRUE(store->add_registrations({r, without}).has_value());

  const auto rows = store->registrations({}).value();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].comparison, r.comparison);
  EXPECT_EQ(rows[1].comparison, ComparisonKeys{});
}

TEST(Jobs, AreKeptWithTheirOutcomeAndRunningOnesCanBeMarkedInterrupted) {
  TempDir dir;
  const auto path = dir / "jobs.db";
  const auto store = open_seeded(path);
  store::JobRecord intake{0, "intake", "Laden: politie 2023", "rob", "2026-11-28T09:00:00Z"};
  intake.link = "/staff/intake";
  const auto first = store->add_job(intake).value();
  const auto second = store->add_job({0, "estimate", "Schatting", "rob", "2026-11-28T09:01:00Z"}).value();

  ASSERT_TRUE(store->finish_job(first, "done", "1000 rows loaded\n", "progress\n", "2026-11-28T09:02:00Z"));
  const auto unknown = store->finish_job(99, "done", "", "", "");
  const auto interrupted = store->interrupt_running_jobs("2026-11-28T10:00:00Z");
  const auto listed = store->jobs(10).value();
  const auto done = store->job(first).value();

  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(interrupted.value(), 1) << "only the job still running";
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, second) << "newest first";
  EXPECT_EQ(listed[0].status, "interrupted");
  EXPECT_EQ(listed[0].finished, "2026-11-28T10:00:00Z");
  EXPECT_EQ(done.status, "done");
  EXPECT_EQ(done.output, "1000 rows loaded\n");
  EXPECT_EQ(done.messages, "progress\n");
  EXPECT_EQ(done.link, "/staff/intake");
  EXPECT_EQ(done.owner, "rob");
  EXPECT_EQ(store->job(12345).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store->jobs(1).value().size(), 1u);
}

TEST(OpenSqliteStore, RefusesADatabaseNewerThanTheBinary) {
  TempDir dir;
  const auto path = dir / "future.db";
  { ASSERT_TRUE(open_sqlite_store(path).has_value()); }
  const std::string bump = "PRAGMA user_version = " + std::to_string(latest_schema_version() + 1);
  execute(path, bump.c_str());

  const auto store = open_sqlite_store(path);

  ASSERT_FALSE(store.has_value());
  EXPECT_EQ(store.error().code, ErrorCode::kSchemaTooNew);
  EXPECT_NE(store.error().message.find(std::to_string(latest_schema_version() + 1)), std::string::npos);
  // Refusing must not have touched the file.
  EXPECT_EQ(query_int(path, "PRAGMA user_version"), latest_schema_version() + 1);
}

TEST(Transact, RollbackLeavesNothingBehind) {
  TempDir dir;
  const auto path = dir / "rollback.db";
  const auto store = open_seeded(path);

  const auto result = store->transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store->add_registrations({victim("p1", 2020), victim("p2", 2020)}));
    RETURN_IF_ERROR(store->put_source({"kmar", "Koninklijke Marechaussee", SourceKind::kBorderPolice}));
    return fail(ErrorCode::kConflict, "abort on purpose");
  });

  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM registrations"), 0);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM sources"), 1);
}

TEST(Transact, FailedInnerTransactionRollsBackOnlyItself) {
  TempDir dir;
  const auto path = dir / "nested.db";
  const auto store = open_seeded(path);

  const auto result = store->transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store->add_registrations({victim("outer", 2020)}));
    const auto inner = store->transact([&]() -> Result<void> {
      RETURN_IF_ERROR(store->add_registrations({victim("inner", 2020)}));
      return fail(ErrorCode::kConflict, "inner abort");
    });
    EXPECT_FALSE(inner.has_value());
    return ok();
  });

  ASSERT_TRUE(result.has_value()) << result.error().message;
  const auto rows = store->registrations({});
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 1u);
  EXPECT_EQ(rows->front().person_key, "outer");
}

TEST(AddRegistrations, IsAllOrNothingAndNamesTheBadRow) {
  TempDir dir;
  const auto path = dir / "batch.db";
  const auto store = open_seeded(path);
  Registration unknown_region = victim("p3", 2020);
  unknown_region.region_code = "GM9999";

  const auto result = store->add_registrations({victim("p1", 2020), victim("p2", 2020), unknown_region});

  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("registration 2"), std::string::npos);
  EXPECT_NE(result.error().message.find("GM9999"), std::string::npos);
  EXPECT_EQ(query_int(path, "SELECT count(*) FROM registrations"), 0);
}

TEST(AddRegistrations, RoundTripsEveryFieldAndLinksOnePersonAcrossSources) {
  TempDir dir;
  const auto store = open_seeded(dir / "roundtrip.db");
  ASSERT_TRUE(store->put_source({"om", "Openbaar Ministerie", SourceKind::kProsecution}));
  Registration suspect = victim("s1", 2022);
  suspect.source_code = "om";
  suspect.role = Role::kSuspect;
  suspect.chain_stage = ChainStage::kProsecuted;
  suspect.nationality = "RO";
  suspect.residence_status = ResidenceStatus::kEu;
  Registration police = suspect;
  police.source_code = "politie";
  police.chain_stage = ChainStage::kReported;
  police.age.reset();

  ASSERT_TRUE(store->add_registrations({suspect, police}).has_value());

  const auto rows = store->registrations({.role = Role::kSuspect});
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].chain_stage, ChainStage::kProsecuted);
  EXPECT_EQ((*rows)[0].nationality, "RO");
  EXPECT_EQ((*rows)[0].residence_status, ResidenceStatus::kEu);
  EXPECT_EQ((*rows)[0].age, 19);
  EXPECT_EQ((*rows)[1].age, std::nullopt);
  EXPECT_EQ(store->count_persons().value(), 1);
  const auto counts = store->registration_counts();
  ASSERT_TRUE(counts.has_value());
  ASSERT_EQ(counts->size(), 1u);
  EXPECT_EQ(counts->front().registrations, 2);
  EXPECT_EQ(counts->front().persons, 1);
}

TEST(CountRegistrations, FiltersByYearMandateRoleAndSource) {
  TempDir dir;
  const auto store = open_seeded(dir / "filter.db");
  ASSERT_TRUE(store->add_registrations({victim("a", 2020), victim("b", 2020), victim("c", 2021)}));

  EXPECT_EQ(store->count_registrations({}).value(), 3);
  EXPECT_EQ(store->count_registrations({.year = 2020}).value(), 2);
  EXPECT_EQ(store->count_registrations({.role = Role::kSuspect}).value(), 0);
  EXPECT_EQ(store->count_registrations({.mandate = Mandate::kSexualViolenceAgainstChildren}).value(), 0);
  EXPECT_EQ(store->count_registrations({.source_code = "politie"}).value(), 3);
}

TEST(Regions, RefusesAnUnknownParent) {
  TempDir dir;
  const auto store = open_seeded(dir / "regions.db");

  const auto result = store->put_region({"GM0599", "Rotterdam", RegionLevel::kMunicipality, "RE07"});

  ASSERT_FALSE(result.has_value());
  EXPECT_NE(result.error().message.find("RE07"), std::string::npos);
}

TEST(Publications, RecommendationNeedsItsPublication) {
  TempDir dir;
  const auto store = open_seeded(dir / "kb.db");
  ASSERT_TRUE(store->put_publication(
      {"monitor-2023", "Monitor", PublicationType::kMonitor, "2023-12-01", "nl", {Mandate::kHumanTrafficking}, "s"}));

  EXPECT_TRUE(store->put_recommendation({"monitor-2023", 1, "Doe iets", "Minister", 2023, ResponseStatus::kAdopted}));
  const auto missing = store->put_recommendation({"nope", 1, "x", "y", 2023, ResponseStatus::kPending});

  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
  const auto publications = store->publications().value();
  ASSERT_EQ(publications.size(), 1u);
  EXPECT_EQ(publications[0].mandates, std::vector<Mandate>{Mandate::kHumanTrafficking});
}

TEST(Publications, ListLeavesOutTheBodiesButKeepsEverythingElse) {
  TempDir dir;
  const auto store = open_seeded(dir / "kb.db");
  Publication p{"studie", "Studie", PublicationType::kStudy, "2023-01-02", "nl", {Mandate::kHumanTrafficking}, "s"};
  p.forms = {ExploitationForm::kLabour};
  p.body = std::string(100000, 'x');
  p.file_sha256 = std::string(64, 'a');
  ASSERT_TRUE(store->put_publication(p));

  const auto full = store->publications().value();
  const auto list = store->publication_list().value();

  ASSERT_EQ(full.size(), 1u);
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(full[0].body.size(), 100000u);
  EXPECT_TRUE(list[0].body.empty());
  EXPECT_EQ(list[0].forms, p.forms);
  EXPECT_EQ(list[0].file_sha256, p.file_sha256);
  EXPECT_EQ(list[0].summary, "s");
}

}  // namespace
}  // namespace rapporteur::store

namespace rapporteur::store {
namespace {}  // namespace
}  // namespace rapporteur::store
