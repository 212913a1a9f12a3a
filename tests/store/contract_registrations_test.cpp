// The store contract, registrations role and what all roles share (settings, transactions):
// every backend must pass these. Expected values are written out by hand from the calls.
#include <algorithm>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace rapporteur::store::testing {
namespace {

void seed_places(Store& store) {
  ASSERT_TRUE(store.put_source({"politie", "Nationale Politie", SourceKind::kPolice}));
  ASSERT_TRUE(store.put_source({"comensha", "CoMensha", SourceKind::kVictimCoordination}));
  ASSERT_TRUE(store.put_region({"NL01", "Nederland", RegionLevel::kCountry, std::nullopt}));
  ASSERT_TRUE(store.put_region({"RE05", "Amsterdam", RegionLevel::kPoliceUnit, "NL01"}));
  ASSERT_TRUE(store.put_region({"GM0363", "Amsterdam", RegionLevel::kMunicipality, "RE05"}));
}

Registration victim(const std::string& source, const std::string& key, int year) {
  Registration r;
  r.source_code = source;
  r.person_key = key;
  r.year = year;
  r.exploitation_form = ExploitationForm::kSexual;
  r.sex = Sex::kFemale;
  r.age = 19;
  r.region_code = "GM0363";
  return r;
}

Registration suspect(const std::string& source, const std::string& key, int year) {
  Registration r;
  r.source_code = source;
  r.person_key = key;
  r.year = year;
  r.role = Role::kSuspect;
  r.exploitation_form = ExploitationForm::kLabour;
  r.sex = Sex::kMale;
  r.chain_stage = ChainStage::kProsecuted;
  return r;
}

Registration child_victim(const std::string& source, const std::string& key, int year) {
  Registration r;
  r.source_code = source;
  r.person_key = key;
  r.year = year;
  r.mandate = Mandate::kSexualViolenceAgainstChildren;
  r.offence_type = OffenceType::kGrooming;
  r.sex = Sex::kMale;
  r.age = 13;
  return r;
}

std::vector<std::string> keys_of(const std::vector<Registration>& registrations) {
  std::vector<std::string> keys;
  for (const auto& r : registrations) keys.push_back(r.person_key);
  return keys;
}

TEST_P(StoreContract, StartsAtTheLatestSchemaVersion) { EXPECT_EQ(store().schema_version(), latest_schema_version()); }

TEST_P(StoreContract, SettingsRoundTripAndAnAbsentOneIsNotFound) {
  ASSERT_TRUE(store().set_meta("kb_generation", "1"));
  ASSERT_TRUE(store().set_meta("kb_generation", "2"));
  ASSERT_TRUE(store().set_meta("name", "Rapporteur ‘test’ é"));

  EXPECT_EQ(store().get_meta("kb_generation").value(), "2");
  EXPECT_EQ(store().get_meta("name").value(), "Rapporteur ‘test’ é");
  const auto absent = store().get_meta("absent");
  ASSERT_FALSE(absent.has_value());
  EXPECT_EQ(absent.error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, TransactionCommitsAllItsWrites) {
  const auto result = store().transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store().set_meta("a", "1"));
    return store().set_meta("b", "2");
  });

  ASSERT_TRUE(result.has_value());
  EXPECT_EQ(store().get_meta("a").value(), "1");
  EXPECT_EQ(store().get_meta("b").value(), "2");
}

TEST_P(StoreContract, FailedTransactionRollsBackEveryWriteAndReturnsItsError) {
  seed_places(store());

  const auto result = store().transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store().set_meta("a", "1"));
    RETURN_IF_ERROR(store().put_source({"kmar", "Koninklijke Marechaussee", SourceKind::kBorderPolice}));
    RETURN_IF_ERROR(store().add_registrations({victim("politie", "p1", 2022)}));
    return fail(ErrorCode::kConflict, "stop here");
  });

  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kConflict);
  EXPECT_EQ(result.error().message, "stop here");
  EXPECT_EQ(store().get_meta("a").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().sources().value().size(), 2u);
  EXPECT_EQ(store().count_registrations({}).value(), 0);
}

TEST_P(StoreContract, FailedInnerTransactionRollsBackOnlyItself) {
  const auto result = store().transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store().set_meta("outer", "kept"));
    const auto inner = store().transact([&]() -> Result<void> {
      RETURN_IF_ERROR(store().set_meta("inner", "dropped"));
      return fail(ErrorCode::kInvalidArgument, "inner fails");
    });
    EXPECT_FALSE(inner.has_value());
    return store().set_meta("after", "kept");
  });

  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(store().get_meta("outer").value(), "kept");
  EXPECT_EQ(store().get_meta("after").value(), "kept");
  EXPECT_EQ(store().get_meta("inner").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, AStoreWorksAfterAFailedTransaction) {
  ASSERT_FALSE(store().transact([] { return Result<void>(fail(ErrorCode::kIo, "x")); }).has_value());

  ASSERT_TRUE(store().set_meta("k", "v"));

  EXPECT_EQ(store().get_meta("k").value(), "v");
}

TEST_P(StoreContract, SourcesAreUpdatedByCodeAndListedByCode) {
  ASSERT_TRUE(store().put_source({"politie", "Politie", SourceKind::kPolice}));
  ASSERT_TRUE(store().put_source({"comensha", "CoMensha", SourceKind::kVictimCoordination}));
  ASSERT_TRUE(store().put_source({"politie", "Nationale Politie", SourceKind::kOther}));

  const auto sources = store().sources().value();

  ASSERT_EQ(sources.size(), 2u);
  EXPECT_EQ(sources[0].code, "comensha");
  EXPECT_EQ(sources[0].kind, SourceKind::kVictimCoordination);
  EXPECT_EQ(sources[1].code, "politie");
  EXPECT_EQ(sources[1].name, "Nationale Politie");
  EXPECT_EQ(sources[1].kind, SourceKind::kOther);
  EXPECT_EQ(store().put_source({"", "No code", SourceKind::kOther}).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(StoreContract, RegionsNeedAKnownParentAndAreListedByCode) {
  seed_places(store());
  ASSERT_TRUE(store().put_region({"GM0363", "Gemeente Amsterdam", RegionLevel::kMunicipality, "RE05"}));

  const auto unknown_parent = store().put_region({"GM0001", "X", RegionLevel::kMunicipality, "RE99"});
  const auto regions = store().regions().value();

  ASSERT_FALSE(unknown_parent.has_value());
  EXPECT_EQ(unknown_parent.error().code, ErrorCode::kInvalidArgument);
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_EQ(regions[0].code, "GM0363");
  EXPECT_EQ(regions[0].name, "Gemeente Amsterdam");
  EXPECT_EQ(regions[0].parent_code, "RE05");
  EXPECT_EQ(regions[1].code, "NL01");
  EXPECT_EQ(regions[1].parent_code, std::nullopt);
  EXPECT_EQ(regions[1].level, RegionLevel::kCountry);
  EXPECT_EQ(regions[2].code, "RE05");
  EXPECT_EQ(regions[2].level, RegionLevel::kPoliceUnit);
  EXPECT_EQ(store().put_region({"", "X", RegionLevel::kCountry, std::nullopt}).error().code,
            ErrorCode::kInvalidArgument);
}

TEST_P(StoreContract, PopulationsRoundTripAndAreUpdatedPerYear) {
  seed_places(store());
  ASSERT_TRUE(store().put_population({"GM0363", 2022, 905234}));
  ASSERT_TRUE(store().put_population({"GM0363", 2023, 918117}));
  ASSERT_TRUE(store().put_population({"GM0363", 2022, 905235}));

  EXPECT_EQ(store().population("GM0363", 2022).value(), 905235);
  EXPECT_EQ(store().population("GM0363", 2023).value(), 918117);
  EXPECT_EQ(store().population("GM0363", 2021).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().population("GM9999", 2022).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().put_population({"GM9999", 2022, 10}).error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store().put_population({"GM0363", 2022, -1}).error().code, ErrorCode::kInvalidArgument);
}

TEST_P(StoreContract, RegistrationsRoundTripEveryField) {
  seed_places(store());
  Registration full = victim("politie", "0f1e2d3c4b5a6978", 2023);
  full.nationality = "RO";
  full.residence_status = ResidenceStatus::kEu;
  full.name_key = "00ff00ff";
  full.name_bloom = std::string("\x00\x01\xfe\xff", 4);
  full.birth_bloom = std::string("\xff\x00", 2);
  full.comparison.first_name_bloom = std::string("\x00\x80\x7f", 3);
  full.comparison.last_name_bloom = std::string("\x10\x00", 2);
  full.comparison.first_name_key = "fk";
  full.comparison.last_name_key = "lk";
  full.comparison.birth_year_key = "by";
  full.comparison.birth_year_pair_key = "bp";
  full.comparison.birth_year_pair_odd_key = "bo";
  full.comparison.birth_month_key = "bm";
  full.comparison.birth_day_key = "bd";
  full.comparison.birth_first_of_january = true;
  full.comparison.national_id_key = "nid";
  full.record_id = "CMS-2023-000123 ‘b’";
  const Registration bare = suspect("comensha", "Not Hex Key", 2023);
  const Registration child = child_victim("politie", "ABCDEF", 2022);

  const auto inserted = store().add_registrations({full, bare, child});
  const auto all = store().registrations({});

  ASSERT_TRUE(inserted.has_value()) << inserted.error().message;
  EXPECT_EQ(*inserted, 3);
  ASSERT_TRUE(all.has_value()) << all.error().message;
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0], full);
  EXPECT_EQ((*all)[1], bare);
  EXPECT_EQ((*all)[2], child);
}

// The record reference is kept exactly as given: spaces inside, leading zeros, case and
// non-ASCII letters; a registration without one reads back without one.
TEST_P(StoreContract, RecordReferencesRoundTripAsGivenAndAnAbsentOneStaysAbsent) {
  seed_places(store());
  Registration with = victim("politie", "p1", 2023);
  with.record_id = "2023/000123 Ä-b";
  Registration longest = victim("comensha", "p2", 2023);
  longest.record_id = std::string(64, '7');
  const Registration without = victim("politie", "p3", 2023);

  ASSERT_TRUE(store().add_registrations({with, longest, without}).has_value());
  const auto all = store().registrations({}).value();

  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0].record_id, std::optional<std::string>("2023/000123 Ä-b"));
  EXPECT_EQ(all[1].record_id, std::optional<std::string>(std::string(64, '7')));
  EXPECT_EQ(all[2].record_id, std::nullopt);
}

TEST_P(StoreContract, RefusesARecordReferenceTooLongOrWithAControlCharacter) {
  seed_places(store());
  Registration too_long = victim("politie", "p1", 2023);
  too_long.record_id = std::string(65, '7');
  Registration control = victim("politie", "p2", 2023);
  control.record_id = "CMS\t1";

  const auto long_refused = store().add_registrations({too_long});
  const auto control_refused = store().add_registrations({control});

  ASSERT_FALSE(long_refused.has_value());
  EXPECT_EQ(long_refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(long_refused.error().message.find("record_id"), std::string::npos) << long_refused.error().message;
  ASSERT_FALSE(control_refused.has_value());
  EXPECT_NE(control_refused.error().message.find("control character"), std::string::npos)
      << control_refused.error().message;
  EXPECT_EQ(store().count_registrations({}).value(), 0);
}

// Migration 18 adds the column: a registration stored at version 17 reads back without a
// reference and keeps its other fields; new registrations carry theirs.
TEST_P(StoreContract, MigrationLeavesEarlierRegistrationsWithoutARecordReference) {
  std::string skip;
  auto old = BackendStore::open(GetParam(), skip, {.target_version = 17});
  ASSERT_NE(old, nullptr) << skip;
  ASSERT_EQ(old->store().schema_version(), 17);
  seed_places(old->store());
  ASSERT_EQ(old->run_sql("INSERT INTO registrations (source_id, person_key, year, mandate, role, exploitation_form, "
                         "sex, residence_status) SELECT id, 'p1', 2021, 'human_trafficking', 'victim', 'sexual', "
                         "'female', 'unknown' FROM sources WHERE code = 'politie'"),
            "");

  auto upgraded = old->reopen();

  ASSERT_TRUE(upgraded.has_value()) << upgraded.error().message;
  EXPECT_EQ((*upgraded)->schema_version(), latest_schema_version());
  Registration added = victim("politie", "p2", 2021);
  added.record_id = "PV-2021-000001";
  ASSERT_TRUE((*upgraded)->add_registrations({added}).has_value());
  const auto all = (*upgraded)->registrations({}).value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].person_key, "p1");
  EXPECT_EQ(all[0].exploitation_form, ExploitationForm::kSexual);
  EXPECT_EQ(all[0].record_id, std::nullopt);
  EXPECT_EQ(all[1].record_id, std::optional<std::string>("PV-2021-000001"));
}

TEST_P(StoreContract, AddRegistrationsIsAllOrNothingAndNamesTheBadOne) {
  seed_places(store());
  Registration unknown_region = victim("politie", "p3", 2022);
  unknown_region.region_code = "GM9999";
  Registration invalid = victim("politie", "p4", 2022);
  invalid.age = 150;

  const auto bad_source = store().add_registrations({victim("politie", "p1", 2022), victim("kmar", "p2", 2022)});
  const auto bad_region = store().add_registrations({victim("politie", "p1", 2022), unknown_region});
  const auto bad_value = store().add_registrations({victim("politie", "p1", 2022), invalid});

  ASSERT_FALSE(bad_source.has_value());
  EXPECT_EQ(bad_source.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_source.error().message.find("registration 1"), std::string::npos) << bad_source.error().message;
  EXPECT_NE(bad_source.error().message.find("kmar"), std::string::npos);
  ASSERT_FALSE(bad_region.has_value());
  EXPECT_NE(bad_region.error().message.find("GM9999"), std::string::npos);
  ASSERT_FALSE(bad_value.has_value());
  EXPECT_EQ(bad_value.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store().count_registrations({}).value(), 0);
}

TEST_P(StoreContract, RegistrationFiltersCombineAndKeepTheOrderOfAdding) {
  seed_places(store());
  ASSERT_TRUE(store().add_registrations({victim("politie", "a", 2022), suspect("politie", "b", 2022),
                                         child_victim("comensha", "c", 2022), victim("comensha", "d", 2023),
                                         victim("politie", "e", 2023)}));

  const auto count = [&](const RegistrationFilter& f) { return store().count_registrations(f).value(); };
  const auto keys = [&](const RegistrationFilter& f) { return keys_of(store().registrations(f).value()); };

  EXPECT_EQ(count({}), 5);
  EXPECT_EQ(count({.year = 2022}), 3);
  EXPECT_EQ(count({.mandate = Mandate::kSexualViolenceAgainstChildren}), 1);
  EXPECT_EQ(count({.role = Role::kSuspect}), 1);
  EXPECT_EQ(count({.source_code = "comensha"}), 2);
  EXPECT_EQ(count({.year = 2023, .source_code = "politie"}), 1);
  EXPECT_EQ(count({.year = 2021}), 0);
  EXPECT_EQ(keys({}), (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(keys({.year = 2023}), (std::vector<std::string>{"d", "e"}));
  EXPECT_EQ(keys({.year = 2022, .mandate = Mandate::kHumanTrafficking, .role = Role::kVictim}),
            (std::vector<std::string>{"a"}));
}

TEST_P(StoreContract, CountsPerYearMandateAndRoleCountPersonsOnce) {
  seed_places(store());
  // Person "a" is registered by both sources in 2022, and again in 2023.
  ASSERT_TRUE(store().add_registrations({victim("politie", "a", 2022), victim("comensha", "a", 2022),
                                         victim("politie", "b", 2022), suspect("politie", "s", 2022),
                                         child_victim("politie", "c", 2022), victim("politie", "a", 2023)}));

  const auto counts = store().registration_counts().value();

  // Ordered by year, then mandate code, then role code.
  ASSERT_EQ(counts.size(), 4u);
  EXPECT_EQ(counts[0].year, 2022);
  EXPECT_EQ(counts[0].mandate, Mandate::kHumanTrafficking);
  EXPECT_EQ(counts[0].role, Role::kSuspect);
  EXPECT_EQ(counts[0].registrations, 1);
  EXPECT_EQ(counts[1].role, Role::kVictim);
  EXPECT_EQ(counts[1].registrations, 3);
  EXPECT_EQ(counts[1].persons, 2);
  EXPECT_EQ(counts[2].mandate, Mandate::kSexualViolenceAgainstChildren);
  EXPECT_EQ(counts[2].persons, 1);
  EXPECT_EQ(counts[3].year, 2023);
  EXPECT_EQ(counts[3].persons, 1);
  EXPECT_EQ(store().count_persons().value(), 4);
}

Batch batch_of(const std::string& source, int year, const std::string& file) {
  Batch b;
  b.source_code = source;
  b.profile = source + "-v1";
  b.year = year;
  b.file_name = file;
  b.file_sha256 = std::string(64, 'a');
  b.key_id = "key-1";
  b.reader = "csv, delimiter ';', utf-8";
  return b;
}

TEST_P(StoreContract, BatchesRoundTripWithTheirCounts) {
  seed_places(store());
  const std::int64_t first = store().create_batch(batch_of("politie", 2022, "p.csv")).value();
  const std::int64_t second = store().create_batch(batch_of("comensha", 2022, "c.csv")).value();
  ASSERT_TRUE(store().finish_batch(first, 10, 8, 2));

  const Batch read = store().batch(first).value();
  const auto all = store().batches().value();

  EXPECT_NE(first, second);
  EXPECT_EQ(read.id, first);
  EXPECT_EQ(read.source_code, "politie");
  EXPECT_EQ(read.profile, "politie-v1");
  EXPECT_EQ(read.year, 2022);
  EXPECT_EQ(read.file_name, "p.csv");
  EXPECT_EQ(read.file_sha256, std::string(64, 'a'));
  EXPECT_EQ(read.key_id, "key-1");
  EXPECT_EQ(read.reader, "csv, delimiter ';', utf-8");
  EXPECT_EQ(read.rows_read, 10);
  EXPECT_EQ(read.rows_loaded, 8);
  EXPECT_EQ(read.rows_rejected, 2);
  EXPECT_EQ(read.status, BatchStatus::kActive);
  EXPECT_EQ(read.replaced_by, std::nullopt);
  // loaded_at is UTC ISO 8601: 2026-12-06T22:10:00Z.
  ASSERT_EQ(read.loaded_at.size(), 20u) << read.loaded_at;
  EXPECT_EQ(read.loaded_at[10], 'T');
  EXPECT_EQ(read.loaded_at.back(), 'Z');
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].id, first);
  EXPECT_EQ(all[1].id, second);
  EXPECT_EQ(all[1].rows_read, 0);
  EXPECT_EQ(store().batch(second + 100).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, ReplacingABatchDropsItsRegistrationsAndKeepsTheNewOnes) {
  seed_places(store());
  const std::int64_t old_id = store().create_batch(batch_of("politie", 2022, "old.csv")).value();
  ASSERT_TRUE(store().add_registrations({victim("politie", "a", 2022), victim("politie", "b", 2022)}, old_id));
  const std::int64_t other = store().create_batch(batch_of("comensha", 2022, "c.csv")).value();
  ASSERT_TRUE(store().add_registrations({victim("comensha", "a", 2022)}, other));

  const auto replaced = store().transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const std::int64_t new_id, store().create_batch(batch_of("politie", 2022, "new.csv")));
    RETURN_IF_ERROR(store().add_registrations({victim("politie", "c", 2022)}, new_id));
    return store().replace_batch(old_id, new_id);
  });

  ASSERT_TRUE(replaced.has_value()) << replaced.error().message;
  const Batch old_batch = store().batch(old_id).value();
  EXPECT_EQ(old_batch.status, BatchStatus::kReplaced);
  ASSERT_TRUE(old_batch.replaced_by.has_value());
  const Batch new_batch = store().batch(*old_batch.replaced_by).value();
  EXPECT_EQ(new_batch.file_name, "new.csv");
  EXPECT_EQ(keys_of(store().registrations({}).value()), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(store().registrations({.source_code = "comensha"}).value().size(), 1u);
  const auto active = store().active_batch("politie", "politie-v1", 2022).value();
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->id, new_batch.id);
  EXPECT_FALSE(store().active_batch("politie", "politie-v1", 2023).value().has_value());
  EXPECT_FALSE(store().active_batch("politie", "other-profile", 2022).value().has_value());
}

TEST_P(StoreContract, ARolledBackReplacementKeepsTheOldBatch) {
  seed_places(store());
  const std::int64_t old_id = store().create_batch(batch_of("politie", 2022, "old.csv")).value();
  ASSERT_TRUE(store().add_registrations({victim("politie", "a", 2022)}, old_id));

  const auto replaced = store().transact([&]() -> Result<void> {
    ASSIGN_OR_RETURN(const std::int64_t new_id, store().create_batch(batch_of("politie", 2022, "new.csv")));
    RETURN_IF_ERROR(store().replace_batch(old_id, new_id));
    RETURN_IF_ERROR(store().add_registrations({victim("nobody", "b", 2022)}, new_id));
    return ok();
  });

  ASSERT_FALSE(replaced.has_value());
  EXPECT_EQ(store().batches().value().size(), 1u);
  EXPECT_EQ(store().batch(old_id).value().status, BatchStatus::kActive);
  EXPECT_EQ(keys_of(store().registrations({}).value()), (std::vector<std::string>{"a"}));
}

TEST_P(StoreContract, RowErrorsComeBackInRowOrderPerBatch) {
  seed_places(store());
  const std::int64_t first = store().create_batch(batch_of("politie", 2022, "p.csv")).value();
  const std::int64_t second = store().create_batch(batch_of("comensha", 2022, "c.csv")).value();
  ASSERT_TRUE(store().add_row_errors({{first, 9, "age", "not a number (value withheld)", ""},
                                      {second, 2, "sex", "unknown label", "x"},
                                      {first, 3, "date", "not a date", ""},
                                      {first, 3, "sex", "unknown label", "q"}}));

  const auto errors = store().row_errors(first).value();

  ASSERT_EQ(errors.size(), 3u);
  EXPECT_EQ(errors[0].row, 3);
  EXPECT_EQ(errors[0].column, "date");
  EXPECT_EQ(errors[1].row, 3);
  EXPECT_EQ(errors[1].column, "sex");
  EXPECT_EQ(errors[1].value, "q");
  EXPECT_EQ(errors[2].row, 9);
  EXPECT_EQ(errors[2].reason, "not a number (value withheld)");
  EXPECT_EQ(errors[2].batch_id, first);
  EXPECT_EQ(store().row_errors(second).value().size(), 1u);
  EXPECT_EQ(store().row_errors(second + 100).error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, WritesAreSeenByASecondConnection) {
  seed_places(store());
  ASSERT_TRUE(store().add_registrations({victim("politie", "a", 2022)}));

  auto other = backend().reopen();

  ASSERT_TRUE(other.has_value()) << other.error().message;
  EXPECT_EQ((*other)->count_registrations({}).value(), 1);
  EXPECT_EQ((*other)->sources().value().size(), 2u);
}

TEST_P(StoreContract, PersonIdsReplaceOneScopeAndKeepsTheNextIdAcrossScopes) {
  Store* store = &this->store();
  const PersonIdScope victims{.year = 2023, .mandate = Mandate::kHumanTrafficking, .role = Role::kVictim};
  const PersonIdScope suspects{.year = 2023, .mandate = Mandate::kHumanTrafficking, .role = Role::kSuspect};
  // A fingerprint above 2^63 must come back bit for bit through the backend's signed integer.
  const std::vector<PersonIdRow> first = {{0xfedcba9876543210ULL, 2}, {5, 1}};

  ASSERT_EQ(store->next_person_id().value(), 1);
  ASSERT_TRUE(store->replace_person_ids(victims, first, 3).has_value());
  ASSERT_TRUE(store->replace_person_ids(suspects, {{7, 3}}, 4).has_value());
  ASSERT_TRUE(store->replace_person_ids(victims, {{5, 1}, {9, 2}}, 3).has_value());

  EXPECT_EQ(store->person_ids(victims).value(), (std::vector<PersonIdRow>{{5, 1}, {9, 2}}));
  EXPECT_EQ(store->person_ids(suspects).value(), (std::vector<PersonIdRow>{{7, 3}}));
  EXPECT_EQ(store->next_person_id().value(), 4) << "a scope's smaller next id does not lower the store's";
  const PersonIdScope other{.year = 2022, .mandate = Mandate::kHumanTrafficking, .role = Role::kVictim};
  EXPECT_TRUE(store->person_ids(other).value().empty());
  ASSERT_TRUE(store->replace_person_ids(other, first, 3).has_value());
  EXPECT_EQ(store->person_ids(other).value(), (std::vector<PersonIdRow>{{5, 1}, {0xfedcba9876543210ULL, 2}}));
}

TEST_P(StoreContract, PersonIdsRefuseAnIdAtOrAboveTheNextAndWritesNothing) {
  Store* store = &this->store();
  const PersonIdScope scope{.year = 2023};
  ASSERT_TRUE(store->replace_person_ids(scope, {{1, 1}}, 2).has_value());

  const auto refused = store->replace_person_ids(scope, {{1, 1}, {2, 2}}, 2);

  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(store->person_ids(scope).value(), (std::vector<PersonIdRow>{{1, 1}}));
}

TEST_P(StoreContract, RegistrationIdsAreTheRowsOfTheFilterInTheirOrder) {
  seed_places(store());
  ASSERT_TRUE(store().add_registrations({victim("politie", "a", 2022), victim("politie", "b", 2023),
                                         suspect("politie", "c", 2023), victim("comensha", "d", 2023)}));

  const auto all = store().registration_ids({});
  const auto victims = store().registration_ids({.year = 2023, .role = Role::kVictim});

  ASSERT_TRUE(all.has_value());
  ASSERT_TRUE(victims.has_value());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_TRUE(std::is_sorted(all->begin(), all->end()));
  EXPECT_EQ(*victims, (std::vector<std::int64_t>{(*all)[1], (*all)[3]}));
  EXPECT_EQ(keys_of(store().registrations({.year = 2023, .role = Role::kVictim}).value()),
            (std::vector<std::string>{"b", "d"}));
}

TEST_P(StoreContract, LinkageDecisionsAreKeptPerScopeAndTheLatestPerPairWins) {
  const PersonIdScope victims{.year = 2023, .mandate = Mandate::kHumanTrafficking, .role = Role::kVictim};
  const PersonIdScope suspects{.year = 2023, .mandate = Mandate::kHumanTrafficking, .role = Role::kSuspect};

  ASSERT_TRUE(store().put_linkage_decision(victims, {4, 9, ReviewDecision::kMatch, "anna", "2026-01-01T10:00:00Z"}));
  ASSERT_TRUE(store().put_linkage_decision(victims, {1, 2, ReviewDecision::kUnsure, "anna", "2026-01-01T10:01:00Z"}));
  ASSERT_TRUE(store().put_linkage_decision(victims, {4, 9, ReviewDecision::kNonMatch, "bert", "2026-01-01T10:02:00Z"}));
  ASSERT_TRUE(store().put_linkage_decision(suspects, {4, 9, ReviewDecision::kMatch, "anna", "2026-01-01T10:03:00Z"}));

  EXPECT_EQ(store().linkage_decisions(victims).value(),
            (std::vector<PairDecisionRow>{{1, 2, ReviewDecision::kUnsure, "anna", "2026-01-01T10:01:00Z"},
                                          {4, 9, ReviewDecision::kNonMatch, "bert", "2026-01-01T10:02:00Z"}}));
  EXPECT_EQ(store().linkage_decisions(suspects).value(),
            (std::vector<PairDecisionRow>{{4, 9, ReviewDecision::kMatch, "anna", "2026-01-01T10:03:00Z"}}));
  EXPECT_TRUE(store().linkage_decisions({.year = 2022}).value().empty());
}

TEST_P(StoreContract, LinkageDecisionsRefuseRowsOutOfOrderOrWithoutAUserAndWriteNothing) {
  const PersonIdScope scope{.year = 2023};

  const auto backward = store().put_linkage_decision(scope, {9, 4, ReviewDecision::kMatch, "anna", "t"});
  const auto same = store().put_linkage_decision(scope, {4, 4, ReviewDecision::kMatch, "anna", "t"});
  const auto zero = store().put_linkage_decision(scope, {0, 4, ReviewDecision::kMatch, "anna", "t"});
  const auto nobody = store().put_linkage_decision(scope, {4, 9, ReviewDecision::kMatch, "", "t"});

  for (const auto* refused : {&backward, &same, &zero, &nobody}) {
    ASSERT_FALSE(refused->has_value());
    EXPECT_EQ(refused->error().code, ErrorCode::kInvalidArgument);
  }
  EXPECT_TRUE(store().linkage_decisions(scope).value().empty());
}

TEST(ReviewDecision, CodesRoundTripAndOthersAreRefused) {
  for (const auto d : {ReviewDecision::kMatch, ReviewDecision::kNonMatch, ReviewDecision::kUnsure}) {
    EXPECT_EQ(parse_review_decision(to_code(d)).value(), d);
  }
  EXPECT_EQ(to_code(ReviewDecision::kNonMatch), "non-match");
  EXPECT_FALSE(parse_review_decision("maybe").has_value());
}

}  // namespace

// Every TEST_P of the suite (in all contract_*_test.cpp files) runs once per backend.
INSTANTIATE_TEST_SUITE_P(Backends, StoreContract, ::testing::Values("sqlite", "postgresql"),
                         [](const ::testing::TestParamInfo<std::string>& backend) { return backend.param; });

}  // namespace rapporteur::store::testing
