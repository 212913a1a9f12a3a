// store::copy_store: a whole database from one backend to the other and back, compared
// through the store interface with what was written (the independent truth: the source's
// own answers), and its refusals.
#include "store/copy.h"

#include <sqlite3.h>

#include <chrono>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace rapporteur::store::testing {
namespace {

using rapporteur::testing::TempDir;

// A failed sign-in of the filled store: 2026-01-01T00:00:00Z.
const std::chrono::system_clock::time_point kFailedAt{std::chrono::seconds(1767225600)};

// Writes a little of everything, with the awkward cases: hex and non-hex person keys, bytes
// with NUL and 0xff, a region tree, a replaced batch, NULLs, text with quotes and accents.
void fill(Store& s) {
  ASSERT_TRUE(s.set_meta("kb_generation", "7"));
  ASSERT_TRUE(s.put_source({"politie", "Nationale Politie", SourceKind::kPolice}));
  ASSERT_TRUE(s.put_source({"comensha", "CoMensha", SourceKind::kVictimCoordination}));
  ASSERT_TRUE(s.put_region({"NL01", "Nederland", RegionLevel::kCountry, std::nullopt}));
  ASSERT_TRUE(s.put_region({"RE05", "Amsterdam", RegionLevel::kPoliceUnit, "NL01"}));
  ASSERT_TRUE(s.put_region({"GM0363", "Amsterdam", RegionLevel::kMunicipality, "RE05"}));
  ASSERT_TRUE(s.put_region({"AA01", "Eerder in de volgorde", RegionLevel::kMunicipality, "RE05"}));
  ASSERT_TRUE(s.put_population({"GM0363", 2023, 918117}));
  Batch batch;
  batch.source_code = "politie";
  batch.profile = "politie-v1";
  batch.year = 2023;
  batch.file_name = "p.csv";
  batch.file_sha256 = std::string(64, 'c');
  batch.key_id = "k";
  batch.reader = "csv";
  const std::int64_t old_batch = s.create_batch(batch).value();
  Registration r;
  r.source_code = "politie";
  r.person_key = "00ff10ab";
  r.year = 2023;
  r.exploitation_form = ExploitationForm::kSexual;
  r.sex = Sex::kFemale;
  r.age = 17;
  r.region_code = "GM0363";
  r.name_key = "abcdef";
  r.name_bloom = std::string("\x00\xff\x01", 3);
  r.comparison.first_name_bloom = std::string("\x7f\x00", 2);
  r.comparison.birth_year_key = "by";
  r.comparison.birth_first_of_january = true;
  r.record_id = "PV-2023-000417";
  ASSERT_TRUE(s.add_registrations({r}, old_batch));
  const std::int64_t new_batch = s.create_batch(batch).value();
  Registration other = r;
  other.person_key = "Tekst-sleutel";
  other.name_key.reset();
  other.name_bloom.clear();
  other.age.reset();
  other.record_id.reset();
  Registration third = r;
  third.source_code = "comensha";
  ASSERT_TRUE(s.add_registrations({other, third}, new_batch));
  ASSERT_TRUE(s.replace_batch(old_batch, new_batch));
  ASSERT_TRUE(s.finish_batch(new_batch, 3, 2, 1));
  ASSERT_TRUE(s.add_row_errors({{new_batch, 4, "age", "not a number (value withheld)", ""}}));
  Publication p;
  p.slug = "monitor-2023";
  p.title = "Slachtoffermonitor ‘2023’";
  p.date = "2023-10-01";
  p.language = "nl";
  p.mandates = {Mandate::kHumanTrafficking};
  p.body = "Tekst met 'quotes' en é";
  ASSERT_TRUE(s.put_publication(p));
  Recommendation rec;
  rec.publication_slug = "monitor-2023";
  rec.number = 1;
  rec.text = "Doe iets";
  rec.addressee = "Minister";
  rec.year = 2023;
  rec.history = {{"2023-12-01", ResponseStatus::kAdopted, "Ja"}};
  ASSERT_TRUE(s.put_recommendation(rec));
  ASSERT_TRUE(s.put_activity({"2023-02-01", ActivityKind::kBriefing, "Tweede Kamer", "Rondetafel", ""}));
  ASSERT_TRUE(s.put_media_appearance({"2023-03-01", "NOS", MediaKind::kTv, "Monitor", ""}));
  Finances f;
  f.year = 2023;
  f.budget_total_cents = 300'000'000'00;
  f.budget = {{"JenV", "Structureel", FundingKind::kStructural, 300'000'000'00}};
  ASSERT_TRUE(s.put_finances(f));
  ASSERT_TRUE(s.add_user({"anna", UserRole::kAdmin, "$argon2id$x", "2026-01-01T00:00:00Z", 2, ""}));
  ASSERT_TRUE(s.record_sign_in_attempt("anna", 2, "2026-01-01T00:15:00Z"));
  ASSERT_TRUE(s.add_session({"hash", "anna", "csrf", "2099-01-01T00:00:00Z"}));
  ASSERT_TRUE(s.audit({"2026-01-01T00:00:00Z", "anna", "sign_in", ""}));
  const std::int64_t job = s.add_job({0, "intake", "Inlezen", "anna", "2026-01-01T00:00:00Z"}).value();
  ASSERT_TRUE(s.finish_job(job, "done", "uitvoer\n", "", "2026-01-01T00:01:00Z"));
  const auto ids = s.registration_ids({}).value();
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(s.put_linkage_decision({.year = 2023},
                                     {ids[0], ids[1], ReviewDecision::kNonMatch, "anna", "2026-01-01T00:02:00Z"}));
  JobRecord waiting{0, "intake", "Inlezen", "anna", "2026-01-01T00:02:00Z"};
  waiting.status = "queued";
  waiting.parameters = R"({"profile":"politie","year":2023})";
  waiting.upload = "/srv/rapporteur/uploads/abc.csv";
  ASSERT_TRUE(s.add_job(waiting));
  ASSERT_TRUE(s.add_address_failure("10.0.0.1", kFailedAt, kFailedAt - std::chrono::minutes(15)));
}

// Everything `fill` wrote, read back through the interface.
void expect_same_contents(Store& want, Store& got) {
  EXPECT_EQ(got.get_meta("kb_generation").value(), want.get_meta("kb_generation").value());
  EXPECT_EQ(got.sources().value().size(), want.sources().value().size());
  const auto want_regions = want.regions().value();
  const auto got_regions = got.regions().value();
  ASSERT_EQ(got_regions.size(), want_regions.size());
  for (std::size_t i = 0; i < want_regions.size(); ++i) {
    EXPECT_EQ(got_regions[i].code, want_regions[i].code);
    EXPECT_EQ(got_regions[i].parent_code, want_regions[i].parent_code);
  }
  EXPECT_EQ(got.population("GM0363", 2023).value(), 918117);
  EXPECT_EQ(got.registrations({}).value(), want.registrations({}).value());
  EXPECT_EQ(got.count_persons().value(), want.count_persons().value());
  const auto want_batches = want.batches().value();
  const auto got_batches = got.batches().value();
  ASSERT_EQ(got_batches.size(), want_batches.size());
  for (std::size_t i = 0; i < want_batches.size(); ++i) {
    EXPECT_EQ(got_batches[i].id, want_batches[i].id);
    EXPECT_EQ(got_batches[i].status, want_batches[i].status);
    EXPECT_EQ(got_batches[i].replaced_by, want_batches[i].replaced_by);
    EXPECT_EQ(got_batches[i].loaded_at, want_batches[i].loaded_at);
    EXPECT_EQ(got_batches[i].rows_loaded, want_batches[i].rows_loaded);
  }
  EXPECT_EQ(got.row_errors(want_batches.back().id).value().size(), 1u);
  EXPECT_EQ(got.publication("monitor-2023").value().body, want.publication("monitor-2023").value().body);
  const auto recommendations = got.recommendations().value();
  ASSERT_EQ(recommendations.size(), 1u);
  ASSERT_EQ(recommendations[0].history.size(), 1u);
  EXPECT_EQ(recommendations[0].history[0].status, ResponseStatus::kAdopted);
  EXPECT_EQ(got.activities(2023).value().size(), 1u);
  EXPECT_EQ(got.media_appearances(2023).value().size(), 1u);
  EXPECT_EQ(got.finances(2023).value().budget_total_cents, 300'000'000'00);
  EXPECT_EQ(got.user("anna").value().failed_attempts, 2);
  EXPECT_EQ(got.user("anna").value().locked_until, "2026-01-01T00:15:00Z");
  EXPECT_EQ(got.session("hash", "2026-01-01T00:00:00Z").value().csrf_token, "csrf");
  EXPECT_EQ(got.audit_log(10).value().size(), 1u);
  // Decisions name registrations by row id: the copy keeps both.
  EXPECT_EQ(got.registration_ids({}).value(), want.registration_ids({}).value());
  EXPECT_EQ(got.linkage_decisions({.year = 2023}).value(), want.linkage_decisions({.year = 2023}).value());
  EXPECT_EQ(got.linkage_decisions({.year = 2023}).value().size(), 1u);
  const auto jobs = got.jobs(10).value();
  ASSERT_EQ(jobs.size(), 2u);
  EXPECT_EQ(jobs.back().output, "uitvoer\n");
  EXPECT_EQ(jobs.front().status, "queued");
  EXPECT_EQ(jobs.front().parameters, R"({"profile":"politie","year":2023})");
  EXPECT_EQ(jobs.front().upload, "/srv/rapporteur/uploads/abc.csv");
  EXPECT_EQ(got.address_failures("10.0.0.1", kFailedAt - std::chrono::seconds(1)).value(),
            std::vector<std::chrono::system_clock::time_point>{kFailedAt});
}

TEST(CopyStore, SqliteToPostgresqlAndBackKeepsEveryRow) {
  std::string skip;
  const auto schema = PostgresSchema::create(skip);
  if (!skip.empty()) GTEST_SKIP() << skip;
  ASSERT_NE(schema, nullptr);
  TempDir dir;
  const std::string original = (dir / "original.db").string();
  const std::string back = (dir / "back.db").string();
  {
    auto store = open_sqlite_store(original);
    ASSERT_TRUE(store.has_value());
    fill(**store);
  }

  const auto there = copy_store(original, schema->url());
  const auto returned = copy_store(schema->url(), back);

  ASSERT_TRUE(there.has_value()) << there.error().message;
  ASSERT_TRUE(returned.has_value()) << returned.error().message;
  ASSERT_EQ(there->tables.size(), returned->tables.size());
  for (std::size_t i = 0; i < there->tables.size(); ++i) {
    EXPECT_EQ(there->tables[i].rows, returned->tables[i].rows) << there->tables[i].name;
    EXPECT_EQ(there->tables[i].sha256, returned->tables[i].sha256) << there->tables[i].name;
  }
  auto want = open_store(original).value();
  auto on_postgresql = open_store(schema->url()).value();
  auto on_sqlite = open_store(back).value();
  expect_same_contents(*want, *on_postgresql);
  expect_same_contents(*want, *on_sqlite);
  // New rows continue after the copied keys.
  const std::int64_t next =
      on_postgresql->add_job({0, "report", "Jaarverslag", "anna", "2026-02-01T00:00:00Z"}).value();
  EXPECT_GT(next, want->jobs(10).value().front().id);
}

TEST(CopyStore, BetweenTwoSqliteFilesReportsEveryTable) {
  TempDir dir;
  const std::string from = (dir / "from.db").string();
  {
    auto store = open_sqlite_store(from);
    ASSERT_TRUE(store.has_value());
    fill(**store);
  }

  const auto report = copy_store(from, (dir / "to.db").string());

  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->schema_version, latest_schema_version());
  ASSERT_FALSE(report->tables.empty());
  std::int64_t registrations = -1;
  for (const auto& table : report->tables) {
    if (table.name == "registrations") registrations = table.rows;
  }
  EXPECT_EQ(registrations, 2);  // One was in the replaced batch.
  auto copied = open_store((dir / "to.db").string()).value();
  auto original = open_store(from).value();
  expect_same_contents(*original, *copied);
}

TEST(CopyStore, RefusesADestinationWithDataAndLeavesItAsItWas) {
  TempDir dir;
  const std::string from = (dir / "from.db").string();
  const std::string to = (dir / "to.db").string();
  {
    auto source = open_sqlite_store(from);
    ASSERT_TRUE(source.has_value());
    fill(**source);
    auto target = open_sqlite_store(to);
    ASSERT_TRUE(target.has_value());
    ASSERT_TRUE((*target)->put_source({"kmar", "Koninklijke Marechaussee", SourceKind::kBorderPolice}));
  }

  const auto report = copy_store(from, to);

  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kConflict);
  EXPECT_NE(report.error().message.find("sources"), std::string::npos) << report.error().message;
  auto target = open_store(to).value();
  EXPECT_EQ(target->sources().value().size(), 1u);
  EXPECT_EQ(target->count_registrations({}).value(), 0);
}

TEST(CopyStore, RefusesATableItDoesNotKnowRatherThanLeaveItBehind) {
  TempDir dir;
  const std::string from = (dir / "from.db").string();
  { ASSERT_TRUE(open_sqlite_store(from).has_value()); }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(from.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "CREATE TABLE later_feature (id INTEGER PRIMARY KEY)", nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);

  const auto report = copy_store(from, (dir / "to.db").string());

  ASSERT_FALSE(report.has_value());
  EXPECT_EQ(report.error().code, ErrorCode::kStorage);
  EXPECT_NE(report.error().message.find("later_feature"), std::string::npos) << report.error().message;
}

TEST(CopyStore, RefusesAMissingSourceAndItself) {
  TempDir dir;
  const std::string path = (dir / "x.db").string();

  const auto missing = copy_store(path, (dir / "y.db").string());
  const auto itself = copy_store(path, path);

  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(dir / "y.db"));
  ASSERT_FALSE(itself.has_value());
  EXPECT_EQ(itself.error().code, ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace rapporteur::store::testing
