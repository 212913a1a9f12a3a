#include "tables/tables.h"

#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "store/store.h"
#include "test_support.h"

namespace rapporteur::tables {
namespace {

using rapporteur::testing::TempDir;

Registration reg(std::string source, std::string key, int year, std::optional<std::string> region,
                 ExploitationForm form, Sex sex, int age) {
  Registration r;
  r.source_code = std::move(source);
  r.person_key = std::move(key);
  r.year = year;
  r.region_code = std::move(region);
  r.exploitation_form = form;
  r.sex = sex;
  r.age = age;
  return r;
}

class TablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = store::open_sqlite_store(dir_ / "t.db");
    ASSERT_TRUE(opened.has_value());
    store_ = std::move(*opened);
    for (const auto& s : {Source{"politie", "Politie", SourceKind::kPolice},
                          Source{"comensha", "CoMensha", SourceKind::kVictimCoordination}}) {
      ASSERT_TRUE(store_->put_source(s));
    }
    ASSERT_TRUE(store_->put_region({"NL01", "Nederland", RegionLevel::kCountry, std::nullopt}));
    ASSERT_TRUE(store_->put_region({"RE01", "Noord", RegionLevel::kPoliceUnit, "NL01"}));
    ASSERT_TRUE(store_->put_region({"RE02", "Zuid", RegionLevel::kPoliceUnit, "NL01"}));
    ASSERT_TRUE(store_->put_region({"GM0001", "Aadorp", RegionLevel::kMunicipality, "RE01"}));
    ASSERT_TRUE(store_->put_region({"GM0002", "Beekdal", RegionLevel::kMunicipality, "RE01"}));
    ASSERT_TRUE(store_->put_region({"GM0003", "Zeestad", RegionLevel::kMunicipality, "RE02"}));
    store::Batch batch{.source_code = "politie",
                       .profile = "p",
                       .year = 2022,
                       .file_name = "f",
                       .file_sha256 = "s",
                       .key_id = "k",
                       .reader = "r"};
    const auto id = store_->create_batch(batch);
    ASSERT_TRUE(id.has_value());
    // Person a: seen by both sources (one person); b: police only, no region; c: CoMensha.
    const std::vector<Registration> rows{
        reg("politie", "a", 2022, "GM0001", ExploitationForm::kSexual, Sex::kFemale, 17),
        reg("comensha", "a", 2022, "GM0001", ExploitationForm::kSexual, Sex::kFemale, 17),
        reg("politie", "b", 2022, std::nullopt, ExploitationForm::kLabour, Sex::kMale, 40),
        reg("comensha", "c", 2022, "GM0003", ExploitationForm::kSexual, Sex::kFemale, 25),
        reg("politie", "a", 2023, "GM0002", ExploitationForm::kSexual, Sex::kFemale, 18),
    };
    ASSERT_TRUE(store_->add_registrations(rows, *id));
  }

  TempDir dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(TablesTest, CountsLinkedPersonsOncePerYearWithEveryMargin) {
  const auto spec = parse_spec(R"(name = "t"
title = "Test"
dimensions = ["year", "region", "form"]
years = [2022, 2023]
)",
                               "t.toml");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;

  const auto built = build(*store_, *spec, exact_keys());

  ASSERT_TRUE(built.has_value()) << built.error().message;
  const auto& t = built->table;
  ASSERT_TRUE(sdc::check_additive(t).has_value());
  const auto at = [&](const std::string& year, const std::string& region, const std::string& form) {
    std::vector<int> p;
    for (const auto& [d, code] : std::vector<std::pair<int, std::string>>{{0, year}, {1, region}, {2, form}}) {
      const auto& codes = t.dimensions[static_cast<std::size_t>(d)].codes;
      p.push_back(static_cast<int>(std::find(codes.begin(), codes.end(), code) - codes.begin()));
    }
    return t.values[t.index(p)];
  };
  // Hand count: 2022 has a (GM0001, sexual), b (no region, labour), c (GM0003, sexual);
  // 2023 has a again (GM0002): four person-years.
  EXPECT_EQ(at("total", "NL01", "total"), 4);
  EXPECT_EQ(at("2022", "NL01", "total"), 3);
  EXPECT_EQ(at("2022", "GM0001", "sexual"), 1) << "two registrations, one person";
  EXPECT_EQ(at("2022", "RE01", "total"), 1);
  EXPECT_EQ(at("2022", "unknown", "labour"), 1);
  EXPECT_EQ(at("total", "RE01", "sexual"), 2);
  EXPECT_EQ(at("2023", "RE02", "total"), 0);
  EXPECT_EQ(built->sources, (std::vector<std::string>{"comensha", "politie"})) << "in the store's order";
}

// Years of the range before and after every delivery are left out, not shown as years with no
// victims; a range without any delivery is an error, not a table of zeros.
TEST_F(TablesTest, YearsWithoutAnyDeliveryAreLeftOutAndNamed) {
  const auto spec = parse_spec(
      "name = \"t\"\ntitle = \"T\"\ndimensions = [\"year\"]\nyears = [2019, 2024]\nfootnotes = [\"Eigen noot.\"]\n",
      "t.toml");
  const auto children = parse_spec(
      "name = \"k\"\ntitle = \"K\"\nmandate = \"sexual_violence_against_children\"\ndimensions = [\"year\"]\n"
      "years = [2019, 2024]\n",
      "k.toml");
  ASSERT_TRUE(spec.has_value() && children.has_value());

  const auto built = build(*store_, *spec, exact_keys());
  const auto none = build(*store_, *children, exact_keys());

  ASSERT_TRUE(built.has_value()) << built.error().message;
  EXPECT_EQ(built->table.dimensions[0].codes, (std::vector<std::string>{"total", "2022", "2023"}));
  EXPECT_EQ(built->table.values, (std::vector<std::int64_t>{4, 3, 1})) << "hand count as above";
  EXPECT_EQ(built->spec.first_year, 2022);
  EXPECT_EQ(built->spec.last_year, 2023);
  ASSERT_EQ(built->spec.footnotes.size(), 2u);
  EXPECT_EQ(built->spec.footnotes[0], "Eigen noot.");
  EXPECT_EQ(built->spec.footnotes[1], "Geen gegevens aangeleverd over 2019-2021 en 2024; die jaren zijn weggelaten.");
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::kNotFound);
  EXPECT_NE(none.error().message.find("2019-2024"), std::string::npos) << none.error().message;
}

// The table counts the persons the injected linkage finds, not the exact keys: a linkage that
// takes police's b (labour, no region) and CoMensha's c (sexual, GM0003) for one person.
TEST_F(TablesTest, CountsThePersonsTheInjectedLinkageFinds) {
  const auto spec =
      parse_spec("name = \"t\"\ntitle = \"T\"\ndimensions = [\"year\"]\nyears = [2022, 2023]\n", "t.toml");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  std::vector<std::size_t> calls;
  const PersonClustering b_is_c = [&calls](
                                      const std::vector<Registration>& registrations,
                                      const std::vector<std::string>& sources) -> Result<std::vector<std::uint32_t>> {
    calls.push_back(registrations.size());
    EXPECT_EQ(sources, (std::vector<std::string>{"comensha", "politie"}));
    std::vector<std::uint32_t> cluster;
    for (const auto& r : registrations) cluster.push_back(r.person_key == "a" ? 0u : 1u);
    return cluster;
  };

  const auto linked = build(*store_, *spec, b_is_c);
  const auto exact = build(*store_, *spec, exact_keys());

  ASSERT_TRUE(linked.has_value() && exact.has_value());
  // Hand count: 2022 holds a (twice), b and c; 2023 holds a.
  EXPECT_EQ(calls, (std::vector<std::size_t>{4, 1})) << "one call per year, with that year's registrations";
  EXPECT_EQ(linked->table.values, (std::vector<std::int64_t>{3, 2, 1})) << "total, 2022 (a; b = c), 2023 (a)";
  EXPECT_EQ(exact->table.values, (std::vector<std::int64_t>{4, 3, 1})) << "total, 2022 (a, b, c), 2023 (a)";
}

TEST_F(TablesTest, RefusesALinkageOfTheWrongLength) {
  const auto spec =
      parse_spec("name = \"t\"\ntitle = \"T\"\ndimensions = [\"year\"]\nyears = [2022, 2022]\n", "t.toml");
  ASSERT_TRUE(spec.has_value());
  const PersonClustering short_by_one = [](const std::vector<Registration>& registrations,
                                           const std::vector<std::string>&) -> Result<std::vector<std::uint32_t>> {
    return std::vector<std::uint32_t>(registrations.size() - 1, 0);
  };

  const auto built = build(*store_, *spec, short_by_one);

  ASSERT_FALSE(built.has_value());
  EXPECT_EQ(built.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(built.error().message.find("3 clusters for 4 registrations"), std::string::npos) << built.error().message;
}

// Found by fuzzing (fuzz/table_spec.cpp): invalid UTF-8 inside a quoted key made toml11 read
// past the end of its buffer (AddressSanitizer: heap-buffer-overflow in parse_literal_string).
// TOML must be UTF-8, so such a file is refused, naming the byte, before toml11 reads it.
TEST_F(TablesTest, RefusesATableDefinitionThatIsNotUtf8) {
  // "name = 't'\n" is 11 bytes; the key's first byte after its quote and "ti" is byte 14.
  const std::string text = "name = 't'\n'ti\xBB\xBB\xBB' = 1\n";

  const auto spec = parse_spec(text, "e.toml");

  ASSERT_FALSE(spec.has_value());
  EXPECT_EQ(spec.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(spec.error().message, "e.toml: not UTF-8 at byte 14; TOML files must be UTF-8");
}

TEST_F(TablesTest, RefusesUnknownDimensionsAndBadRules) {
  EXPECT_FALSE(parse_spec("name = \"t\"\ntitle = \"T\"\ndimensions = [\"colour\"]\nyears = [2022, 2022]\n", "a.toml")
                   .has_value());
  EXPECT_FALSE(parse_spec("name = \"T T\"\ntitle = \"T\"\ndimensions = [\"year\"]\nyears = [2022, 2022]\n", "b.toml")
                   .has_value());
  EXPECT_FALSE(
      parse_spec("name = \"t\"\ntitle = \"T\"\ndimensions = [\"year\"]\nyears = [2023, 2022]\n", "c.toml").has_value());
  const auto bad_zero = parse_spec(
      "name = \"t\"\ntitle = \"T\"\ndimensions = [\"year\"]\nyears = [2022, 2022]\n[protection]\nzeros = \"maybe\"\n",
      "d.toml");
  ASSERT_FALSE(bad_zero.has_value());
  EXPECT_NE(bad_zero.error().message.find("d.toml"), std::string::npos);
  EXPECT_NE(bad_zero.error().message.find("zeros"), std::string::npos);
}

TEST_F(TablesTest, ProtectedJsonHidesExactlyTheSuppressedCells) {
  const auto spec =
      parse_spec("name = \"t\"\ntitle = \"T\"\ndimensions = [\"region\", \"form\"]\nyears = [2022, 2023]\n", "t.toml");
  ASSERT_TRUE(spec.has_value());
  auto built = build(*store_, *spec, exact_keys());
  ASSERT_TRUE(built.has_value());

  const auto report = protect({*built});

  ASSERT_TRUE(report.has_value()) << report.error().message;
  const auto& p = report->tables.front();
  const auto json = nlohmann::json::parse(to_json(p.built, p.status, p.shown, "2026-11-27"));
  ASSERT_EQ(json["cells"].size(), p.built.table.values.size());
  for (std::size_t i = 0; i < json["cells"].size(); ++i) {
    const auto value = p.built.table.values[i];
    const bool hidden = json["cells"][i]["value"].is_null();
    // Every count from 1 to 9 is primary and hidden; with only 4 persons, everything non-zero is.
    EXPECT_EQ(hidden, value > 0) << i;
  }
  EXPECT_EQ(json["dimensions"][0]["codes"][1]["parent"], "NL01");
}

TEST_F(TablesTest, TablesOfDifferentPopulationsAreNotLinked) {
  // Victims and suspects share no cells even where their codes coincide (the totals).
  store::Batch suspects{.source_code = "politie",
                        .profile = "p",
                        .year = 2022,
                        .file_name = "g",
                        .file_sha256 = "t",
                        .key_id = "k",
                        .reader = "r"};
  const auto id = store_->create_batch(suspects);
  ASSERT_TRUE(id.has_value());
  Registration s = reg("politie", "z", 2022, "GM0001", ExploitationForm::kSexual, Sex::kMale, 30);
  s.role = Role::kSuspect;
  s.chain_stage = ChainStage::kConvicted;
  ASSERT_TRUE(store_->add_registrations({s}, *id));
  const auto victims =
      parse_spec("name = \"v\"\ntitle = \"V\"\ndimensions = [\"year\"]\nyears = [2022, 2023]\n", "v.toml");
  const auto chain = parse_spec(
      "name = \"s\"\ntitle = \"S\"\nrole = \"suspect\"\ndimensions = [\"year\", \"stage\"]\nyears = [2022, 2023]\n",
      "s.toml");
  ASSERT_TRUE(victims.has_value() && chain.has_value());
  auto v = build(*store_, *victims, exact_keys());
  auto c = build(*store_, *chain, exact_keys());
  ASSERT_TRUE(v.has_value() && c.has_value());
  EXPECT_EQ(c->table.values[c->table.index({1, 4})], 1) << "2022, convicted";

  const auto report = protect({*v, *c});

  ASSERT_TRUE(report.has_value()) << report.error().message;
  EXPECT_EQ(report->tables.size(), 2u);
}

// The review names every cell with its true value, status and reason, and the audited interval
// of each suppressed cell beside what a primary must reach; checked by hand on three persons.
TEST_F(TablesTest, ReviewAccountsForEverySuppressionWithItsInterval) {
  const auto spec =
      parse_spec("name = \"geslacht\"\ntitle = \"T\"\ndimensions = [\"sex\"]\nyears = [2022, 2022]\n", "t.toml");
  ASSERT_TRUE(spec.has_value()) << spec.error().message;
  auto built = build(*store_, *spec, exact_keys());
  ASSERT_TRUE(built.has_value());
  const auto report = protect({*built});
  ASSERT_TRUE(report.has_value()) << report.error().message;

  const std::string review = to_review_csv(*report);

  std::istringstream lines(review);
  std::string header;
  std::getline(lines, header);
  EXPECT_EQ(header,
            "table,dimension_1,code_1,label_1,value,status,reason,audit_low,audit_high,required_low,required_high,"
            "audit_problem");
  std::map<std::string, std::vector<std::string>> row_of;  // By code: the row's fields.
  for (std::string line; std::getline(lines, line);) {
    std::vector<std::string> fields;
    std::istringstream split(line);
    for (std::string field; std::getline(split, field, ',');) fields.push_back(field);
    if (line.ends_with(',')) fields.push_back("");
    ASSERT_EQ(fields.size(), 12u) << line;
    row_of[fields[2]] = fields;
  }
  ASSERT_EQ(row_of.size(), 4u) << review;
  // 2022: a and c are women, b a man: 3 persons; every count below 10 is primary. A primary
  // of v must reach v -/+ max(30% of v, 1): 3 -> 2..4, 2 -> 1..3, 1 -> 0..2 but at least 1,
  // since with zeros published a suppressed cell holds at least 1 (the total at least 2).
  const std::map<std::string, std::vector<std::string>> expected{
      {"total", {"geslacht", "sex", "total", "totaal", "3", "primary", "3 below the minimum frequency 10"}},
      {"female", {"geslacht", "sex", "female", "vrouw", "2", "primary", "2 below the minimum frequency 10"}},
      {"male", {"geslacht", "sex", "male", "man", "1", "primary", "1 below the minimum frequency 10"}},
      {"unknown", {"geslacht", "sex", "unknown", "overig/onbekend", "0", "safe", ""}}};
  const std::map<std::string, std::pair<int, int>> required{{"total", {2, 4}}, {"female", {1, 3}}, {"male", {1, 2}}};
  for (const auto& [code, start] : expected) {
    const auto& row = row_of[code];
    EXPECT_EQ(std::vector<std::string>(row.begin(), row.begin() + 7), start) << code;
    if (code == "unknown") {
      EXPECT_EQ(row[7] + row[8] + row[9] + row[10] + row[11], "") << "a published cell has no interval";
      continue;
    }
    EXPECT_EQ(std::stoi(row[9]), required.at(code).first) << code;
    EXPECT_EQ(std::stoi(row[10]), required.at(code).second) << code;
    // The attacker's true lowest value is exactly the required one here (female + male = total,
    // each at least 1), and nothing bounds the cells from above: the audit's interval, which
    // it certifies rather than solves exactly, must start there and reach past the requirement.
    EXPECT_EQ(std::stoi(row[7]), required.at(code).first) << code;
    EXPECT_TRUE(row[8] == "inf" || std::stoi(row[8]) >= required.at(code).second) << code << ": " << row[8];
    EXPECT_EQ(row[11], "") << "no audit problem";
  }
  // Audited exactly, the intervals are the attacker's true ones: unbounded above.
  sdc::AuditOptions exact;
  exact.exact_intervals = true;
  const auto exact_report = protect({*built}, exact);
  ASSERT_TRUE(exact_report.has_value()) << exact_report.error().message;
  const std::string exact_review = to_review_csv(*exact_report);
  EXPECT_NE(exact_review.find("geslacht,sex,total,totaal,3,primary,3 below the minimum frequency 10,2,inf,2,4,"),
            std::string::npos)
      << exact_review;
  EXPECT_NE(exact_review.find("geslacht,sex,female,vrouw,2,primary,2 below the minimum frequency 10,1,inf,1,3,"),
            std::string::npos)
      << exact_review;
  EXPECT_NE(exact_review.find("geslacht,sex,male,man,1,primary,1 below the minimum frequency 10,1,inf,1,2,"),
            std::string::npos)
      << exact_review;
}

}  // namespace
}  // namespace rapporteur::tables
