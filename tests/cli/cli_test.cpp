#include "cli/cli.h"

#include <algorithm>
#include <fstream>
#include <regex>
#include <sstream>

#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "cli/run_cli.h"
#include "store/store.h"
#include "test_support.h"

namespace rapporteur::cli {
namespace {

using rapporteur::testing::TempDir;

using test_support::Outcome;
using test_support::run_cli;

long count_lines(const std::string& text) { return std::count(text.begin(), text.end(), '\n'); }

TEST(Cli, UnknownOptionIsBadUsageOnOneLine) {
  const Outcome outcome = run_cli({"--bogus", "version"});

  EXPECT_EQ(outcome.status, kExitUsage);
  EXPECT_EQ(count_lines(outcome.err), 1);
  EXPECT_NE(outcome.err.find("--bogus"), std::string::npos);
  EXPECT_TRUE(outcome.out.empty());
}

TEST(Cli, MissingCommandIsBadUsage) {
  const Outcome outcome = run_cli({});

  EXPECT_EQ(outcome.status, kExitUsage);
  EXPECT_EQ(count_lines(outcome.err), 1);
}

TEST(Cli, OutOfRangePortIsBadUsage) {
  const Outcome outcome = run_cli({"serve", "--port", "70000"});

  EXPECT_EQ(outcome.status, kExitUsage);
  EXPECT_EQ(count_lines(outcome.err), 1);
}

TEST(Cli, HelpWorksOnEveryCommand) {
  const std::vector<std::vector<std::string>> commands{{"init"},
                                                       {"demo"},
                                                       {"serve"},
                                                       {"version"},
                                                       {"key", "init"},
                                                       {"source", "check"},
                                                       {"intake", "load"},
                                                       {"intake", "errors"},
                                                       {"intake", "batches"},
                                                       {"linkage", "histories"},
                                                       {"linkage", "export"},
                                                       {"linkage", "review"},
                                                       {"linkage", "decide"},
                                                       {"kb", "add"},
                                                       {"kb", "search"},
                                                       {"kb", "follow-up"},
                                                       {"kb", "rebuild"},
                                                       {"kb", "recommendations"},
                                                       {"account", "import"},
                                                       {"account", "add-activity"},
                                                       {"account", "add-media"},
                                                       {"account", "check"},
                                                       {"account", "remove-activity"},
                                                       {"account", "remove-media"},
                                                       {"report", "annual"}};
  for (auto command : commands) {
    const std::string name = command.back();
    command.push_back("--help");
    const Outcome outcome = run_cli(command);

    EXPECT_EQ(outcome.status, kExitOk) << name;
    EXPECT_NE(outcome.out.find(name), std::string::npos) << name << ": " << outcome.out;
  }
  EXPECT_EQ(run_cli({"--help"}).status, kExitOk);
}

TEST(Cli, VersionPrintsTheSchemaVersion) {
  const Outcome outcome = run_cli({"version"});

  EXPECT_EQ(outcome.status, kExitOk);
  EXPECT_NE(outcome.out.find("schema version " + std::to_string(store::latest_schema_version())), std::string::npos);
}

TEST(Cli, InitCreatesTheDatabaseAndItsFolder) {
  TempDir dir;
  const auto db = dir / "nested/folder/instance.db";

  const Outcome outcome = run_cli({"--db", db.string(), "init"});

  EXPECT_EQ(outcome.status, kExitOk) << outcome.err;
  EXPECT_TRUE(std::filesystem::exists(db));
}

TEST(Cli, FailureIsOneLineAndExitsOne) {
  TempDir dir;
  const auto not_a_db = dir / "garbage.db";
  {
    std::ofstream file(not_a_db);
    file << std::string(4096, 'x');
  }

  const Outcome outcome = run_cli({"--db", not_a_db.string(), "init"});

  EXPECT_EQ(outcome.status, kExitFailure);
  EXPECT_EQ(count_lines(outcome.err), 1) << outcome.err;
  EXPECT_NE(outcome.err.find("rapporteur: "), std::string::npos);
}

TEST(Cli, AccountEntriesCanBeRemovedAndAMissingOneIsNamed) {
  TempDir dir;
  const std::string db = (dir / "r.db").string();
  ASSERT_EQ(run_cli({"--db", db, "init"}).status, kExitOk);
  const std::vector<std::string> key{"--date",         "2023-04-01",   "--kind",  "briefing",
                                     "--organisation", "Tweede Kamer", "--title", "Monitor"};
  auto with = [&](std::vector<std::string> args, const std::vector<std::string>& more) {
    args.insert(args.end(), more.begin(), more.end());
    return run_cli(args);
  };

  const Outcome added = with({"--db", db, "account", "add-activity"}, key);
  const Outcome removed = with({"--db", db, "account", "remove-activity"}, key);
  const Outcome again = with({"--db", db, "account", "remove-activity"}, key);

  EXPECT_EQ(added.status, kExitOk) << added.err;
  EXPECT_EQ(removed.status, kExitOk) << removed.err;
  EXPECT_EQ(store::open_sqlite_store(db).value()->activities(2023).value().size(), 0u);
  EXPECT_EQ(again.status, kExitFailure);
  EXPECT_NE(again.err.find("no briefing activity 'Monitor' with Tweede Kamer on 2023-04-01"), std::string::npos)
      << again.err;
}

TEST(Cli, DemoLoadsOnceAndIsANoOpTheSecondTime) {
  TempDir dir;
  const auto db = dir / "demo.db";
  const auto truth = dir / "truth.json";

  const Outcome first = run_cli({"--db", db.string(), "demo", "--seed", "5", "--first-year", "2022", "--last-year",
                                 "2022", "--truth", truth.string()});
  const Outcome second = run_cli({"--db", db.string(), "demo", "--seed", "5", "--first-year", "2022", "--last-year",
                                  "2022", "--truth", truth.string()});

  EXPECT_EQ(first.status, kExitOk) << first.err;
  EXPECT_TRUE(std::filesystem::exists(truth));
  EXPECT_EQ(second.status, kExitOk) << second.err;
  EXPECT_NE(second.out.find("already loaded"), std::string::npos);
}

TEST(Cli, KbAddsAFolderSearchesAsJsonAndRecordsFollowUp) {
  TempDir dir;
  const auto db = (dir / "r.db").string();
  ASSERT_EQ(run_cli({"--db", db, "init"}).status, kExitOk);
  std::filesystem::create_directories(dir / "docs");
  std::ofstream(dir / "docs" / "studie.md") << "# Studie\n\nArbeidsuitbuiting in de haven.\n";
  std::ofstream(dir / "docs" / "studie.md.toml") << "type = \"study\"\ndate = \"2023-01-02\"\n"
                                                    "[[recommendation]]\ntext = \"Controleer de haven.\"\n"
                                                    "addressee = \"Minister\"\nyear = 2023\n";
  std::ofstream(dir / "docs" / "kapot.pdf") << "%PDF-1.4 niet echt";

  const Outcome added = run_cli({"--db", db, "kb", "add", (dir / "docs").string()});
  const Outcome found = run_cli({"--db", db, "kb", "search", "haven", "--json"});
  const Outcome follow = run_cli({"--db", db, "kb", "follow-up", "studie", "1", "--date", "2024-02-03", "--status",
                                  "adopted", "--note", "Gedaan."});
  const Outcome overview = run_cli({"--db", db, "kb", "recommendations", "--json"});
  const Outcome bad_date =
      run_cli({"--db", db, "kb", "follow-up", "studie", "1", "--date", "2024-02-30", "--note", "x"});

  EXPECT_EQ(added.status, kExitOk) << added.err;
  EXPECT_NE(added.out.find("1 files loaded, 1 refused"), std::string::npos) << added.out;
  EXPECT_NE(added.err.find("kapot.pdf: not a readable PDF"), std::string::npos) << added.err;
  ASSERT_EQ(found.status, kExitOk) << found.err;
  const auto hits = nlohmann::json::parse(found.out);
  EXPECT_EQ(hits["total"], 2);  // The study and its recommendation.
  EXPECT_EQ(hits["hits"][0]["slug"], "studie");
  EXPECT_EQ(follow.status, kExitOk) << follow.err;
  EXPECT_EQ(nlohmann::json::parse(overview.out)["by_year"][0]["adopted"], 1);
  EXPECT_EQ(bad_date.status, kExitFailure);
  EXPECT_NE(bad_date.err.find("2024-02-30"), std::string::npos);
}

constexpr const char* kNlaExtract =
    "bsn\tvoornaam\tachternaam\tgeboortedatum\tgeslacht\tvorm\tnationaliteit\tdatum_signaal\tzaaknummer\n"
    "918273645\tXylofoonia\tQuaxelbeek\t1990-05-17\tvrouw\tarbeidsuitbuiting\tPL\t2023-02-02\n"
    "918273646\tZwierobelle\tPruttelwijk\t1990-02-30\tman\tarbeidsuitbuiting\tRO\t2023-03-03\n"
    "\tBlubbertina\tKnorrevaar\t1991-01-01\tvrouw\tarbeidsuitbuiting\tPL\t2023-04-04\n";

TEST(Cli, IntakeLoadsReportsErrorsAndLinksWithoutLeakingIdentifiers) {
  TempDir dir;
  const auto db = (dir / "i.db").string();
  const auto extract = dir / "nla-2023.tsv";
  std::ofstream(extract) << kNlaExtract;
  ASSERT_EQ(run_cli({"--db", db, "key", "init"}).status, kExitOk);
  ASSERT_EQ(run_cli({"--db", db, "init"}).status, kExitOk);

  const Outcome check = run_cli({"--db", db, "source", "check", "nla"});
  const Outcome load = run_cli({"--db", db, "intake", "load", extract.string(), "--profile", "nla", "--year", "2023"});
  const Outcome again = run_cli({"--db", db, "intake", "load", extract.string(), "--profile", "nla", "--year", "2023"});
  const Outcome errors = run_cli({"--db", db, "intake", "errors", "1"});
  const Outcome batches = run_cli({"--db", db, "intake", "batches"});
  const Outcome histories = run_cli({"--db", db, "linkage", "histories", "--year", "2023"});

  EXPECT_EQ(check.status, kExitOk) << check.err;
  EXPECT_NE(check.out.find("(identifying: pseudonymised)"), std::string::npos);
  EXPECT_EQ(load.status, kExitOk) << load.err;
  EXPECT_NE(load.out.find("3 rows read, 2 loaded, 1 quarantined"), std::string::npos) << load.out;
  EXPECT_NE(again.out.find("Already loaded as batch 1"), std::string::npos) << again.out;
  EXPECT_EQ(errors.status, kExitOk);
  EXPECT_NE(errors.out.find("nla-2023.tsv,3,geboortedatum,,impossible date"), std::string::npos) << errors.out;
  EXPECT_NE(batches.out.find(",nla,nla,2023,nla-2023.tsv,"), std::string::npos) << batches.out;
  EXPECT_EQ(histories.out, "nla,classification,sex,age_group,region,count\n1,labour,female,adult,unknown,2\n");
  // The load is in the audit log, once: the repeat stored nothing.
  const auto store = store::open_sqlite_store(db);
  ASSERT_TRUE(store.has_value());
  const auto log = (*store)->audit_log(20).value();
  int batches_logged = 0;
  for (const auto& entry : log) {
    if (entry.action != "intake_batch") continue;
    ++batches_logged;
    EXPECT_EQ(entry.user_name, "cli");
    EXPECT_EQ(entry.detail, "batch 1: profile nla, year 2023, 3 rows read, 2 loaded, 1 quarantined");
  }
  EXPECT_EQ(batches_logged, 1);
  const std::string everything = check.out + check.err + load.out + load.err + again.out + again.err + errors.out +
                                 errors.err + batches.out + histories.out + histories.err;
  for (const char* secret : {"918273645", "918273646", "Xylofoonia", "Quaxelbeek", "Zwierobelle", "Pruttelwijk",
                             "Blubbertina", "Knorrevaar", "1990-05-17", "1990-02-30"}) {
    EXPECT_EQ(everything.find(secret), std::string::npos) << secret << " reached the output or the log";
  }
}

// The NLA extract's references (an empty one for row 2's signal) come back with the person
// ids; an unknown source is refused on one line.
TEST(Cli, LinkageExportGivesTheReferencesOfASourceAndRefusesAnUnknownOne) {
  TempDir dir;
  const auto db = (dir / "i.db").string();
  const auto extract = dir / "nla-2023.tsv";
  std::ofstream(extract)
      << "bsn\tvoornaam\tachternaam\tgeboortedatum\tgeslacht\tvorm\tnationaliteit\tdatum_signaal\t"
         "zaaknummer\n"
         "918273645\tXylofoonia\tQuaxelbeek\t1990-05-17\tvrouw\tarbeidsuitbuiting\tPL\t2023-02-02\t\n"
         "\tBlubbertina\tKnorrevaar\t1991-01-01\tvrouw\tarbeidsuitbuiting\tPL\t2023-04-04\t"
         " nla-sig-2023-00002 \n";
  ASSERT_EQ(run_cli({"--db", db, "key", "init"}).status, kExitOk);
  ASSERT_EQ(run_cli({"--db", db, "init"}).status, kExitOk);
  ASSERT_EQ(run_cli({"--db", db, "intake", "load", extract.string(), "--profile", "nla", "--year", "2023"}).status,
            kExitOk);

  const Outcome exported = run_cli({"--db", db, "linkage", "export", "--year", "2023", "--source", "nla"});
  const Outcome unknown = run_cli({"--db", db, "linkage", "export", "--year", "2023", "--source", "atlantis"});

  EXPECT_EQ(exported.status, kExitOk) << exported.err;
  // Two persons (different names and dates of birth): ids 1 and 2 in the order linkage gave them.
  const std::string& csv = exported.out;
  EXPECT_TRUE(csv == "source,record_id,person_id\nnla,,1\nnla,nla-sig-2023-00002,2\n" ||
              csv == "source,record_id,person_id\nnla,,2\nnla,nla-sig-2023-00002,1\n")
      << csv;
  EXPECT_NE(exported.err.find("2 rows, 1 without a record reference"), std::string::npos) << exported.err;
  EXPECT_EQ(unknown.status, kExitFailure);
  EXPECT_EQ(count_lines(unknown.err), 2) << "the progress line and the error: " << unknown.err;
  EXPECT_NE(unknown.err.find("unknown source 'atlantis'"), std::string::npos) << unknown.err;
}

// The clerical review on the demo world of 2023: `linkage review` lists pairs by reference and
// agreement levels (CSV: a header and one row per pair), `linkage decide` stores a decision,
// and the next `linkage report` says it applied it; a malformed reference fails on one line.
TEST(Cli, LinkageReviewListsPairsAndDecideIsFollowedByTheNextRun) {
  TempDir dir;
  const auto db = (dir / "demo.db").string();
  ASSERT_EQ(run_cli({"--db", db, "demo", "--first-year", "2023", "--last-year", "2023"}).status, kExitOk);

  // The whole range of match probabilities: the default band may hold no pair of a year.
  const Outcome listed = run_cli({"--db", db, "linkage", "review", "--year", "2023", "--limit", "3", "--from", "0",
                                  "--to", "1", "--format", "csv"});
  const std::string first_row = listed.out.substr(listed.out.find('\n') + 1);
  const std::string pair = first_row.substr(0, first_row.find(','));
  const Outcome decided =
      run_cli({"--db", db, "linkage", "decide", "--year", "2023", "--pair", pair, "--decision", "non-match"});
  const Outcome report = run_cli({"--db", db, "linkage", "report", "--year", "2023"});
  const Outcome text =
      run_cli({"--db", db, "linkage", "review", "--year", "2023", "--limit", "1", "--from", "0", "--to", "1"});
  const Outcome bad =
      run_cli({"--db", db, "linkage", "decide", "--year", "2023", "--pair", "Jansen", "--decision", "match"});

  ASSERT_EQ(listed.status, kExitOk) << listed.err;
  EXPECT_EQ(listed.out.substr(0, listed.out.find('\n')),
            "pair,first_source,second_source,weight,probability,decision,first_name,last_name,birth_date,national_id,"
            "sex,nationality,region");
  EXPECT_EQ(count_lines(listed.out), 4) << listed.out << listed.err;
  EXPECT_TRUE(std::regex_match(pair, std::regex("r[0-9]+-r[0-9]+"))) << pair;
  ASSERT_EQ(decided.status, kExitOk) << decided.err;
  EXPECT_NE(decided.out.find(pair + ": non-match"), std::string::npos) << decided.out;
  ASSERT_EQ(report.status, kExitOk) << report.err;
  EXPECT_NE(report.out.find("Clerical review: 1 decisions applied, 0 ignored"), std::string::npos) << report.out;
  ASSERT_EQ(text.status, kExitOk) << text.err;
  EXPECT_NE(text.out.find("decided: non-match (cli)"), std::string::npos) << text.out;
  EXPECT_EQ(bad.status, kExitFailure);
  EXPECT_EQ(count_lines(bad.err), 1) << bad.err;
}

TEST(Cli, IntakeLoadOfAFileWithNoGoodRowFails) {
  TempDir dir;
  const auto db = (dir / "i.db").string();
  const auto extract = dir / "bad.tsv";
  std::ofstream(extract)
      << "bsn\tvoornaam\tachternaam\tgeboortedatum\tgeslacht\tvorm\tnationaliteit\tdatum_signaal\tzaaknummer\n"
         "\t\t\t\tvrouw\tarbeidsuitbuiting\tPL\t2023-02-02\n";
  ASSERT_EQ(run_cli({"--db", db, "init"}).status, kExitOk);
  ASSERT_EQ(run_cli({"--db", db, "key", "init"}).status, kExitOk);

  const Outcome load = run_cli({"--db", db, "intake", "load", extract.string(), "--profile", "nla", "--year", "2023"});

  EXPECT_EQ(load.status, kExitFailure);
  EXPECT_NE(load.err.find("no row of"), std::string::npos) << load.err;
}

TEST(Cli, IntakeLoadWithoutAKeyFailsWithAHint) {
  TempDir dir;
  const auto extract = dir / "a.tsv";
  std::ofstream(extract) << kNlaExtract;

  const Outcome load = run_cli(
      {"--db", (dir / "i.db").string(), "intake", "load", extract.string(), "--profile", "nla", "--year", "2023"});

  EXPECT_EQ(load.status, kExitFailure);
  EXPECT_NE(load.err.find("rapporteur key init"), std::string::npos) << load.err;
}

TEST(Cli, KeyInitNeverOverwrites) {
  TempDir dir;
  const auto db = (dir / "i.db").string();

  const Outcome first = run_cli({"--db", db, "key", "init"});
  const Outcome second = run_cli({"--db", db, "key", "init"});

  EXPECT_EQ(first.status, kExitOk);
  EXPECT_EQ(second.status, kExitFailure);
  EXPECT_NE(second.err.find("never overwritten"), std::string::npos);
}

const std::string kKorea = RAPPORTEUR_SHARED_DATA "/mse/Korea.csv";

TEST(Cli, EstimateOnACaptureTableChoosesAModelAndShowsTheAlternatives) {
  const Outcome text = run_cli({"estimate", "--table", kKorea});
  const Outcome json = run_cli({"estimate", "--table", kKorea, "--json"});
  const Outcome fixed = run_cli({"estimate", "--table", kKorea, "--model", "b:c", "--csv"});

  EXPECT_EQ(text.status, kExitOk) << text.err;
  EXPECT_NE(text.out.find("model: b:c,c:d"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("total 157"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("sensitivity"), std::string::npos);
  ASSERT_EQ(json.status, kExitOk) << json.err;
  const auto parsed = nlohmann::json::parse(json.out);
  EXPECT_EQ(parsed["terms"], "b:c,c:d");
  EXPECT_EQ(std::lround(parsed["estimate_total"].get<double>()), 157);
  for (const char* key :
       {"estimate_unobserved", "ci_low", "ci_high", "ci_method", "deviance", "aic", "bic", "models", "warnings"}) {
    EXPECT_TRUE(parsed.contains(key)) << key;
  }
  EXPECT_EQ(parsed["models"].size(), 8u);
  const Outcome booted = run_cli({"estimate", "--table", kKorea, "--model", "b:c,c:d", "--bootstrap", "200", "--seed",
                                  "4", "--no-sensitivity", "--json"});
  ASSERT_EQ(booted.status, kExitOk) << booted.err;
  const auto with_bootstrap = nlohmann::json::parse(booted.out);
  EXPECT_EQ(with_bootstrap["bootstrap"]["replicates"].get<int>() + with_bootstrap["bootstrap"]["failed"].get<int>(),
            200);
  EXPECT_LT(with_bootstrap["bootstrap"]["bca_low"].get<double>(), 157);
  EXPECT_GT(with_bootstrap["bootstrap"]["bca_high"].get<double>(), 157);
  EXPECT_EQ(with_bootstrap["bootstrap"]["method"], "nonparametric");
  const Outcome parametric = run_cli({"estimate", "--table", kKorea, "--model", "b:c,c:d", "--bootstrap", "200",
                                      "--bootstrap-method", "parametric", "--no-sensitivity", "--json"});
  ASSERT_EQ(parametric.status, kExitOk) << parametric.err;
  const auto parametric_json = nlohmann::json::parse(parametric.out);
  EXPECT_EQ(parametric_json["bootstrap"]["method"], "parametric");
  EXPECT_NE(parametric_json["bootstrap"]["bca_low"], with_bootstrap["bootstrap"]["bca_low"]);
  EXPECT_EQ(fixed.status, kExitOk) << fixed.err;
  EXPECT_NE(fixed.out.find(",b:c,123,"), std::string::npos) << fixed.out;
}

TEST(Cli, EstimateOneJointModelOverTheStrataOfACovariateColumn) {
  const std::string cruyff = RAPPORTEUR_SHARED_DATA "/mse/Cruyff_simdat.csv";
  const Outcome joint = run_cli({"estimate", "--table", cruyff, "--by", "Y", "--joint", "--model", "R1:R2",
                                 "--stratum-lists", "R1,R3", "--json"});
  const Outcome separate =
      run_cli({"estimate", "--table", cruyff, "--by", "Y", "--model", "independence", "--json", "--no-sensitivity"});
  const Outcome unknown = run_cli({"estimate", "--table", cruyff, "--by", "Y", "--joint", "--stratum-lists", "R9"});

  ASSERT_EQ(joint.status, kExitOk) << joint.err;
  const auto parsed = nlohmann::json::parse(joint.out);
  double sum = 0;
  for (const auto& s : parsed["strata"]) sum += s["estimate_total"].get<double>();
  EXPECT_NEAR(sum, parsed["estimate_total"].get<double>(), 1e-6);
  EXPECT_EQ(parsed["strata"].size(), 4u);
  EXPECT_EQ(parsed["parameters"].get<int>(), 1 + 3 + 4 + 2 * 3 + 1);
  ASSERT_EQ(separate.status, kExitOk) << separate.err;
  EXPECT_EQ(nlohmann::json::parse(separate.out)["strata"].size(), 4u);
  EXPECT_EQ(unknown.status, kExitFailure);
  EXPECT_NE(unknown.err.find("'R9' is not a list"), std::string::npos) << unknown.err;
}

nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  return nlohmann::json::parse(in);
}

// The review written beside a protection agrees with the table's own cells, gives a reason for
// every suppression and is readable by its owner only.
TEST(Cli, ProtectWritesAReviewOfEveryCellForItsOwnerOnly) {
  TempDir dir;
  const auto db = (dir / "demo.db").string();
  ASSERT_EQ(run_cli({"--db", db, "demo", "--first-year", "2021", "--last-year", "2021"}).status, kExitOk);
  const auto review = dir / "review.csv";

  const Outcome protected_ =
      run_cli({"--db", db, "table", "protect", "victims-form-sex-age", "--review", review.string()});
  const Outcome raw = run_cli({"--db", db, "table", "show", "victims-form-sex-age"});

  ASSERT_EQ(protected_.status, kExitOk) << protected_.err;
  EXPECT_EQ(std::filesystem::status(review).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  std::ifstream in(review);
  std::string line;
  std::getline(in, line);
  ASSERT_EQ(line.rfind("table,", 0), 0u) << line;
  std::istringstream shown(raw.out);
  std::string shown_line;
  std::getline(shown, shown_line);
  long cells = 0, suppressed = 0, with_interval = 0;
  while (std::getline(in, line) && std::getline(shown, shown_line)) {
    ++cells;
    // The same true value as `table show` prints for the same cell (its value column).
    std::vector<std::string> f;
    std::istringstream split(line);
    for (std::string x; std::getline(split, x, ',');) f.push_back(x);
    std::vector<std::string> g;
    std::istringstream split_shown(shown_line);
    for (std::string x; std::getline(split_shown, x, ',');) g.push_back(x);
    // Four dimensions (year, form, sex, age): the review has the table, then name, code and
    // label per dimension, then the value; `table show` has code and label per dimension, then
    // the value.
    ASSERT_GE(f.size(), 20u) << line;
    ASSERT_EQ(g.size(), 10u) << shown_line;
    for (int d = 0; d < 4; ++d) EXPECT_EQ(f[2 + 3 * d], g[2 * d]) << line;
    EXPECT_EQ(f[13], g[8]) << line << " | " << shown_line;
    const bool is_suppressed =
        line.find(",primary,") != std::string::npos || line.find(",secondary,") != std::string::npos;
    suppressed += is_suppressed;
    if (is_suppressed) {
      EXPECT_TRUE(line.find("below the minimum frequency") != std::string::npos ||
                  line.find("suppressed to protect other cells") != std::string::npos)
          << line;
      with_interval += line.find(",inf,") != std::string::npos || !line.ends_with(",,,,,");
    }
  }
  EXPECT_NE(protected_.out.find(", " + std::to_string(cells) + " cells:"), std::string::npos)
      << cells << " rows; " << protected_.out;
  EXPECT_FALSE(std::getline(in, line)) << "no more rows than cells";
  EXPECT_GT(suppressed, 0);
  EXPECT_EQ(with_interval, suppressed) << "every suppressed cell has its audited interval";
  EXPECT_NE(protected_.out.find("review written to"), std::string::npos);
}

TEST(Cli, PublishWritesOnlyAnAuditedTableAndTheAuditCatchesATamperedPattern) {
  TempDir dir;
  const auto db = (dir / "demo.db").string();
  ASSERT_EQ(run_cli({"--db", db, "demo", "--first-year", "2021", "--last-year", "2021"}).status, kExitOk);
  const auto out = dir / "published";

  const Outcome published =
      run_cli({"--db", db, "publish", "victims-form-sex-age", "--out", out.string(), "--date", "2026-11-27"});
  const Outcome raw = run_cli({"--db", db, "table", "show", "victims-form-sex-age", "--json"});

  ASSERT_EQ(published.status, kExitOk) << published.err;
  EXPECT_NE(published.out.find("0 violations"), std::string::npos) << published.out;
  EXPECT_NE(published.out.find("secondary suppressions"), std::string::npos) << published.out;
  for (const char* ext : {".csv", ".json", ".xlsx"})
    EXPECT_TRUE(std::filesystem::exists(out / (std::string("victims-form-sex-age") + ext)));
  const auto table = read_json(out / "victims-form-sex-age.json");
  const auto truth = nlohmann::json::parse(raw.out);
  ASSERT_EQ(table["cells"].size(), truth["cells"].size());
  EXPECT_EQ(table["date"], "2026-11-27");
  int primaries = 0, secondaries = 0;
  for (std::size_t i = 0; i < table["cells"].size(); ++i) {
    const auto& cell = table["cells"][i];
    const auto value = truth["cells"][i]["value"].get<std::int64_t>();
    const auto status = cell["status"].get<std::string>();
    // Independent check of the primary rule: 1..9 units, and nothing else, is primary.
    EXPECT_EQ(status == "primary", value >= 1 && value <= 9) << i;
    EXPECT_EQ(cell["value"].is_null(), status == "primary" || status == "secondary") << i;
    if (!cell["value"].is_null()) {
      EXPECT_EQ(cell["value"].get<std::int64_t>(), value);
    }
    primaries += status == "primary";
    secondaries += status == "secondary";
  }
  EXPECT_GT(primaries, 0);
  EXPECT_GT(secondaries, 0);
  const auto csv = [&] {
    std::ifstream in(out / "victims-form-sex-age.csv");
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
  }();
  EXPECT_NE(csv.find(",x,primary\n"), std::string::npos);

  // The file as published passes the audit; published with one secondary cell revealed, a
  // primary in its relations becomes recoverable and the audit refuses it.
  const Outcome audited = run_cli({"--db", db, "table", "audit", "victims-form-sex-age", "--published",
                                   (out / "victims-form-sex-age.json").string()});
  EXPECT_EQ(audited.status, kExitOk) << audited.out << audited.err;
  int refused = 0;
  for (std::size_t i = 0; i < table["cells"].size() && refused == 0; ++i) {
    if (table["cells"][i]["status"] != "secondary") continue;
    auto tampered = table;
    tampered["cells"][i]["status"] = "safe";
    tampered["cells"][i]["value"] = truth["cells"][i]["value"];
    const auto path = dir / "tampered.json";
    std::ofstream(path) << tampered.dump();
    const Outcome check = run_cli({"--db", db, "table", "audit", "victims-form-sex-age", "--published", path.string()});
    if (check.status == kExitFailure) {
      ++refused;
      EXPECT_NE(check.out.find("violations"), std::string::npos);
    }
  }
  EXPECT_EQ(refused, 1) << "some secondary cell is needed: revealing it must fail the audit";
}

TEST(Cli, EstimateExplainsBadRequests) {
  const Outcome nothing = run_cli({"estimate"});
  const Outcome unknown_list = run_cli({"estimate", "--table", kKorea, "--model", "b:z"});
  TempDir dir;
  const auto table = dir / "t.csv";
  std::ofstream(table) << "A,B,count\n1,0,4\n0,1,3\n1,1,0\n";
  const Outcome apart = run_cli({"estimate", "--table", table.string(), "--model", "independence"});

  EXPECT_EQ(nothing.status, kExitUsage);
  EXPECT_EQ(unknown_list.status, kExitFailure);
  EXPECT_NE(unknown_list.err.find("b:z"), std::string::npos) << unknown_list.err;
  EXPECT_EQ(apart.status, kExitFailure);
  EXPECT_NE(apart.err.find("not estimable"), std::string::npos) << apart.err;
  for (const auto* o : {&nothing, &unknown_list, &apart}) {
    EXPECT_EQ(o->out.find("nan"), std::string::npos);
    EXPECT_EQ(o->out.find("inf"), std::string::npos);
  }
}

TEST(Cli, EstimateFromTheLinkedRegistrationsPerStratum) {
  TempDir dir;
  const auto db = (dir / "demo.db").string();
  ASSERT_EQ(run_cli({"--db", db, "demo", "--first-year", "2021", "--last-year", "2021"}).status, kExitOk);

  const Outcome overall =
      run_cli({"--db", db, "estimate", "--year", "2021", "--search", "stepwise", "--no-sensitivity"});
  const Outcome by_sex = run_cli(
      {"--db", db, "estimate", "--year", "2021", "--by", "sex", "--search", "stepwise", "--no-sensitivity", "--csv"});

  EXPECT_EQ(overall.status, kExitOk) << overall.err;
  EXPECT_NE(overall.out.find("per 100,000 inhabitants"), std::string::npos) << overall.out;
  EXPECT_EQ(by_sex.status, kExitOk) << by_sex.err;
  EXPECT_NE(by_sex.out.find("\nfemale,"), std::string::npos) << by_sex.out;
  EXPECT_NE(by_sex.out.find("\nmale,"), std::string::npos) << by_sex.out;
}

TEST(Cli, EstimatePerPoliceUnitGivesRatesPerHundredThousandOfThatUnit) {
  TempDir dir;
  const auto db = (dir / "demo.db").string();
  ASSERT_EQ(run_cli({"--db", db, "demo", "--first-year", "2021", "--last-year", "2021"}).status, kExitOk);

  const Outcome overall =
      run_cli({"--db", db, "estimate", "--year", "2021", "--model", "independence", "--json", "--no-sensitivity"});
  const Outcome by_region = run_cli(
      {"--db", db, "estimate", "--year", "2021", "--by", "region", "--search", "sparse", "--json", "--no-sensitivity"});

  ASSERT_EQ(overall.status, kExitOk) << overall.err;
  ASSERT_EQ(by_region.status, kExitOk) << by_region.err;
  const auto all = nlohmann::json::parse(overall.out);
  const auto strata = nlohmann::json::parse(by_region.out)["strata"];
  std::int64_t observed = 0;
  int with_rate = 0;
  for (const auto& s : strata) {
    if (s.contains("observed")) observed += s["observed"].get<std::int64_t>();
    if (s["stratum"] == "unknown") continue;
    EXPECT_EQ(s["stratum"].get<std::string>().substr(0, 2), "RE");
    if (!s.contains("rate_per_100k")) continue;
    ++with_rate;
    const double population = s["population"].get<double>();
    EXPECT_GT(population, 500'000) << "a police unit, not the country or a municipality";
    EXPECT_LT(population, 4'000'000);
    EXPECT_NEAR(s["rate_per_100k"].get<double>(), s["estimate_total"].get<double>() / population * 1e5, 1e-9);
    EXPECT_NEAR(s["rate_ci_low"].get<double>(), s["ci_low"].get<double>() / population * 1e5, 1e-9);
  }
  EXPECT_GE(with_rate, 8);
  // Every person seen lands in exactly one stratum (possibly one that is not estimable).
  std::int64_t not_estimable = 0;
  for (const auto& s : strata) not_estimable += s.contains("error") ? 1 : 0;
  if (not_estimable == 0) {
    EXPECT_EQ(observed, all["observed"].get<std::int64_t>());
  }
  EXPECT_LE(observed, all["observed"].get<std::int64_t>());
  EXPECT_GT(all["rate_per_100k"].get<double>(), 0);
}

}  // namespace
}  // namespace rapporteur::cli
