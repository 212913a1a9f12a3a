// The linkage export against independent truth: a hand-made set of registrations in which the
// test says which records are one person (a person is a label here; its records share a keyed
// id, or a keyed name + date of birth bridged by the record with both), linked
// deterministically with kept person ids.
#include "app/linkage_export.h"

#include <algorithm>
#include <map>
#include <set>

#include <gtest/gtest.h>

#include "test_support.h"

namespace rapporteur::app {
namespace {

using rapporteur::testing::TempDir;

// One hand-made record: its source, reference, keys and the person it truly is.
struct Record {
  std::string source;
  std::optional<std::string> record_id;
  std::string person_key;
  std::optional<std::string> name_key;
  std::string truth;  // The person, as the test knows it.
};

Registration registration_of(const Record& record) {
  Registration r;
  r.source_code = record.source;
  r.person_key = record.person_key;
  r.name_key = record.name_key;
  r.record_id = record.record_id;
  r.year = 2023;
  r.exploitation_form = ExploitationForm::kSexual;
  r.sex = Sex::kFemale;
  return r;
}

class LinkageExport : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::move(store::open_sqlite_store(dir_ / "export.db").value());
    ASSERT_TRUE(store_->put_source({"politie", "Politie", SourceKind::kPolice}));
    ASSERT_TRUE(store_->put_source({"comensha", "CoMensha", SourceKind::kVictimCoordination}));
    ASSERT_TRUE(store_->put_source({"kmar", "KMar", SourceKind::kBorderPolice}));
  }

  void add(const std::vector<Record>& records) {
    std::vector<Registration> registrations;
    for (const Record& record : records) {
      registrations.push_back(registration_of(record));
      truth_[{record.source, record.record_id.value_or("")}] = record.truth;
    }
    ASSERT_TRUE(store_->add_registrations(registrations).has_value());
  }

  PersonIdExport exported(std::optional<std::string> source = std::nullopt) {
    auto result = export_person_ids(
        *store_, {.year = 2023, .method = LinkageMethod::kDeterministic, .source = std::move(source)});
    EXPECT_TRUE(result.has_value()) << result.error().message;
    return result.value_or(PersonIdExport{});
  }

  // Checks that equal person ids go exactly to the records that are one person.
  void expect_ids_follow_the_truth(const PersonIdExport& e) {
    std::map<std::string, std::set<std::int64_t>> ids_of_person;
    std::map<std::int64_t, std::set<std::string>> persons_of_id;
    for (const auto& row : e.rows) {
      const auto truth = truth_.find({row.source, row.record_id});
      ASSERT_NE(truth, truth_.end()) << row.source << " " << row.record_id;
      ids_of_person[truth->second].insert(row.person_id);
      persons_of_id[row.person_id].insert(truth->second);
    }
    for (const auto& [person, ids] : ids_of_person) EXPECT_EQ(ids.size(), 1u) << person << " got several ids";
    for (const auto& [id, persons] : persons_of_id) EXPECT_EQ(persons.size(), 1u) << id << " joins several persons";
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
  std::map<std::pair<std::string, std::string>, std::string> truth_;  // (source, reference) -> person.
};

// Anna: police record with her id number (and the name key made beside it), CoMensha without
// the id (name + date of birth only): one person through the name key. Bram: the same id
// number at both sources. Cor and Dina: one record each, Dina's without a reference.
const std::vector<Record> kFirstBatch = {
    {"politie", "PV-2023-000002", "id-anna", "name-anna", "anna"},
    {"politie", "PV-2023-000001", "id-bram", "name-bram", "bram"},
    {"politie", "PV-2023-000003", "id-cor", "name-cor", "cor"},
    {"comensha", "CMS-2023-000123", "name-anna", std::nullopt, "anna"},
    {"comensha", "CMS-2023-000007", "id-bram", "name-bram", "bram"},
    {"comensha", std::nullopt, "id-dina", std::nullopt, "dina"},
};

TEST_F(LinkageExport, EqualIdsGoExactlyToTheRecordsOfOnePerson) {
  add(kFirstBatch);

  const PersonIdExport e = exported();

  ASSERT_EQ(e.rows.size(), 6u);
  expect_ids_follow_the_truth(e);
  EXPECT_EQ(e.without_record_id, 1);
  // By source, then reference (the empty one first).
  const std::vector<std::pair<std::string, std::string>> order = {{"comensha", ""},
                                                                  {"comensha", "CMS-2023-000007"},
                                                                  {"comensha", "CMS-2023-000123"},
                                                                  {"politie", "PV-2023-000001"},
                                                                  {"politie", "PV-2023-000002"},
                                                                  {"politie", "PV-2023-000003"}};
  for (std::size_t i = 0; i < order.size(); ++i) {
    EXPECT_EQ(std::make_pair(e.rows[i].source, e.rows[i].record_id), order[i]) << i;
  }
  std::set<std::int64_t> ids;
  for (const auto& row : e.rows) {
    EXPECT_GT(row.person_id, 0);
    ids.insert(row.person_id);
  }
  EXPECT_EQ(ids.size(), 4u) << "anna, bram, cor and dina";
}

// A new batch (KMar sees Anna again and a new person, Eva) changes no earlier record's id:
// the persons keep theirs, Anna's new record joins her id, and Eva's is one never given out.
TEST_F(LinkageExport, IdsStayWhenReExportedAfterANewBatch) {
  add(kFirstBatch);
  const PersonIdExport before = exported();
  std::map<std::pair<std::string, std::string>, std::int64_t> id_before;
  for (const auto& row : before.rows) id_before[{row.source, row.record_id}] = row.person_id;

  add({{"kmar", "KM202300017", "name-anna", std::nullopt, "anna"},
       {"kmar", "KM202300018", "id-eva", "name-eva", "eva"}});
  const PersonIdExport after = exported();

  ASSERT_EQ(after.rows.size(), 8u);
  expect_ids_follow_the_truth(after);
  std::int64_t anna = 0;
  std::set<std::int64_t> earlier_ids;
  for (const auto& row : after.rows) {
    const auto earlier = id_before.find({row.source, row.record_id});
    if (earlier != id_before.end()) {
      EXPECT_EQ(row.person_id, earlier->second) << row.source << " " << row.record_id;
      earlier_ids.insert(earlier->second);
    }
    if (row.record_id == "PV-2023-000002") anna = row.person_id;
  }
  for (const auto& row : after.rows) {
    if (row.record_id == "KM202300017") {
      EXPECT_EQ(row.person_id, anna);
    }
    if (row.record_id == "KM202300018") {
      EXPECT_FALSE(earlier_ids.count(row.person_id)) << "a new person, a new id";
    }
  }
}

TEST_F(LinkageExport, ASourceReceivesOnlyItsOwnRecordsWithTheIdsOfTheWholeLinkage) {
  add(kFirstBatch);
  const PersonIdExport all = exported();

  const PersonIdExport comensha = exported("comensha");

  ASSERT_EQ(comensha.rows.size(), 3u);
  for (const auto& row : comensha.rows) {
    EXPECT_EQ(row.source, "comensha");
    const auto same = std::find_if(all.rows.begin(), all.rows.end(), [&](const PersonIdExportRow& r) {
      return r.source == row.source && r.record_id == row.record_id;
    });
    ASSERT_NE(same, all.rows.end());
    EXPECT_EQ(row.person_id, same->person_id);
  }
  EXPECT_EQ(comensha.without_record_id, 1);
}

TEST_F(LinkageExport, RefusesAnUnknownSource) {
  add(kFirstBatch);

  const auto result = export_person_ids(*store_, {.year = 2023, .source = "atlantis"});

  ASSERT_FALSE(result.has_value());
  EXPECT_EQ(result.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(result.error().message.find("atlantis"), std::string::npos);
}

TEST(PersonIdExportCsv, QuotesWhatNeedsQuotingAndLeavesAMissingReferenceEmpty) {
  PersonIdExport e;
  e.rows = {{"om", "", 3}, {"om", "13/000123-23", 4}, {"om", "a,\"b\"", 5}};

  const std::string csv = to_csv(e);

  EXPECT_EQ(csv, "source,record_id,person_id\nom,,3\nom,13/000123-23,4\nom,\"a,\"\"b\"\"\",5\n");
}

}  // namespace
}  // namespace rapporteur::app
