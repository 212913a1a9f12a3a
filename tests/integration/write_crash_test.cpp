// Every write of the instance survives a kill: the binary is killed (SIGKILL, through
// RAPPORTEUR_CRASH_AT) at each crash point of an operation in turn: after every write
// statement, before and after every COMMIT, migration script and pragma (store/sqlite.cpp),
// and at the file writes (core/files.cpp). After each kill the database must pass
// `PRAGMA integrity_check`, hold exactly what it held before the operation or what an
// uninterrupted run leaves (nothing half-written; for migrations, the schema of one whole
// version), and repeating the operation must leave what the uninterrupted run left.
// Operations: migrations (init), intake (load), knowledge-base add and rebuild, account
// import, user add, and sign-in, failed sign-in and sign-out (through session_writer).
// Linkage and the estimate only read; the intake runs check that linking after a kill and a
// repeat gives the uninterrupted run's persons.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "kill_run.h"
#include "store/store.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using rapporteur::testing::TempDir;

using rapporteur::testing::Exit;
using rapporteur::testing::run_program;

std::string read_text(const fs::path& path) { return rapporteur::testing::read_file(path); }

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

// Columns whose values differ between two uninterrupted runs (clocks, random salts and
// tokens); compared as present or absent only.
bool is_volatile(const std::string& column) {
  static const std::set<std::string> kVolatile = {"applied_at", "loaded_at",  "created_at",   "at",
                                                  "expires_at", "started",    "finished",     "password_hash",
                                                  "token_hash", "csrf_token", "locked_until", "decided_at"};
  return kVolatile.contains(column);
}

// What a restarted instance finds: per table its rows (sorted, volatile columns masked), the
// schema and the user_version. Fails the test when the database is not intact.
using State = std::map<std::string, std::vector<std::string>>;

State state_of(const fs::path& db_path) {
  State state;
  sqlite3* db = nullptr;
  // A kill before the database file was made leaves no file: the same as an empty database.
  if (sqlite3_open_v2(db_path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) {
    ADD_FAILURE() << db_path << ": cannot open: " << sqlite3_errmsg(db);
    sqlite3_close(db);
    return state;
  }
  const auto rows = [&](const std::string& sql) {
    std::vector<std::string> out;
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt, nullptr) != SQLITE_OK) {
      ADD_FAILURE() << sql << ": " << sqlite3_errmsg(db);
      return out;
    }
    while (sqlite3_step(stmt) == SQLITE_ROW) {
      std::string row;
      for (int c = 0; c < sqlite3_column_count(stmt); ++c) {
        const std::string name = sqlite3_column_name(stmt, c);
        row += name + "=";
        if (sqlite3_column_type(stmt, c) == SQLITE_NULL) {
          row += "NULL";
        } else if (is_volatile(name)) {
          row += "*";
        } else {
          const auto* bytes = static_cast<const unsigned char*>(sqlite3_column_blob(stmt, c));
          const int size = sqlite3_column_bytes(stmt, c);
          static const char* kHex = "0123456789abcdef";
          for (int i = 0; i < size; ++i) {
            const unsigned char b = bytes[i];
            if (b >= 0x20 && b < 0x7f && b != '%') {
              row += static_cast<char>(b);
            } else {
              row += '%';
              row += kHex[b >> 4];
              row += kHex[b & 15];
            }
          }
        }
        row += "|";
      }
      out.push_back(row);
    }
    sqlite3_finalize(stmt);
    std::sort(out.begin(), out.end());
    return out;
  };
  const auto integrity = rows("PRAGMA integrity_check");
  EXPECT_EQ(integrity, std::vector<std::string>{"integrity_check=ok|"}) << db_path;
  state["@schema"] = rows("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'");
  state["@version"] = rows("PRAGMA user_version");
  for (const std::string& table :
       rows("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")) {
    const std::string name = table.substr(5, table.size() - 6);  // "name=...|"
    state[name] = rows("SELECT * FROM \"" + name + "\"");
  }
  sqlite3_close(db);
  return state;
}

// A short account of how two states differ, for failure messages.
std::string difference(const State& a, const State& b) {
  std::string out;
  for (const auto& [table, rows] : a) {
    const auto found = b.find(table);
    if (found == b.end()) {
      out += table + " only in the first; ";
    } else if (found->second != rows) {
      out += table + " differs (" + std::to_string(rows.size()) + " vs " + std::to_string(found->second.size()) +
             " rows); ";
    }
  }
  for (const auto& [table, rows] : b) {
    if (!a.contains(table)) out += table + " only in the second; ";
  }
  return out;
}

std::string arg(const std::string& pattern, const fs::path& dir) {
  std::string out = pattern;
  for (std::size_t at = out.find("{dir}"); at != std::string::npos; at = out.find("{dir}"))
    out.replace(at, 5, dir.string());
  return out;
}

enum class Repeat {
  kAlways,         // The operation is idempotent: repeating it after it completed changes nothing.
  kOnlyIfNotDone,  // Repeating a completed one would do it twice (another session, a taken name).
};

// An operation on the instance in a folder (the database is {dir}/r.db).
struct Operation {
  std::string program = RAPPORTEUR_BIN;
  std::vector<std::string> args;  // "{dir}" stands for the run's folder.
  std::string stdin_file;
  Repeat repeat = Repeat::kAlways;
  // What else a restart must find agree with the database (e.g. search results, the persons
  // linkage finds), compared like the state; empty when nothing.
  std::function<std::string(const fs::path& dir)> observe;
  // States a kill may leave besides "before" and "after" (e.g. a migrated prefix).
  std::vector<State> intermediate;
  // Whether the database changes (a rebuild of the search index writes only the index).
  bool changes_database = true;
};

struct Outcome {
  long points = 0;
  long left_before = 0;
  long left_after = 0;
  long left_intermediate = 0;
};

// Kills `op` at every crash point in turn, each time on a fresh copy of `base`.
Outcome kill_everywhere(const fs::path& work, const fs::path& base, const Operation& op) {
  const auto run_op = [&](const fs::path& dir, long crash_at) {
    std::vector<std::string> args;
    for (const auto& a : op.args) args.push_back(arg(a, dir));
    return run_program(op.program, args, {.crash_at = crash_at, .stdin_file = op.stdin_file});
  };
  const auto observe = [&](const fs::path& dir) { return op.observe ? op.observe(dir) : std::string(); };
  const auto fresh_copy = [&](const std::string& name) {
    const fs::path dir = work / name;
    fs::remove_all(dir);
    fs::copy(base, dir, fs::copy_options::recursive);
    return dir;
  };

  const fs::path before_dir = fresh_copy("before");
  const State before = state_of(before_dir / "r.db");
  const std::string before_seen = observe(before_dir);
  const fs::path reference_dir = fresh_copy("reference");
  EXPECT_EQ(run_op(reference_dir, 0).status, 0) << "the uninterrupted run fails";
  const State after = state_of(reference_dir / "r.db");
  const std::string after_seen = observe(reference_dir);
  if (op.changes_database) {
    EXPECT_NE(before, after) << "the operation writes nothing";
  }

  Outcome outcome;
  for (long at = 1; at < 5000; ++at) {
    const fs::path dir = fresh_copy("run");
    const Exit killed = run_op(dir, at);
    if (!killed.killed) {
      EXPECT_EQ(killed.status, 0) << "the run with no crash point left failed";
      break;
    }
    ++outcome.points;

    const State left = state_of(dir / "r.db");
    const bool was_before = left == before;
    const bool was_after = left == after;
    bool was_intermediate = false;
    for (const State& s : op.intermediate) was_intermediate = was_intermediate || left == s;
    EXPECT_TRUE(was_before || was_after || was_intermediate)
        << "kill point " << at << " left a half-written state: against before: " << difference(left, before)
        << " against after: " << difference(left, after);
    outcome.left_before += was_before;
    outcome.left_after += was_after && !was_before;
    outcome.left_intermediate += was_intermediate && !was_before && !was_after;
    if (was_before) {
      EXPECT_EQ(observe(dir), before_seen) << "kill point " << at;
    } else if (was_after) {
      EXPECT_EQ(observe(dir), after_seen) << "kill point " << at;
    }

    if (op.repeat == Repeat::kAlways || !was_after) {
      EXPECT_EQ(run_op(dir, 0).status, 0) << "kill point " << at << ": the repeat fails";
      EXPECT_EQ(state_of(dir / "r.db"), after)
          << "kill point " << at
          << ": the repeat differs from an uninterrupted run: " << difference(state_of(dir / "r.db"), after);
      EXPECT_EQ(observe(dir), after_seen) << "kill point " << at << ": the repeat is seen differently";
    }
  }
  return outcome;
}

std::string db_of(const fs::path& dir) { return (dir / "r.db").string(); }

// A fresh instance with a key (a base for the operations).
fs::path initialised(const fs::path& work) {
  const fs::path base = work / "base";
  fs::create_directories(base);
  EXPECT_EQ(run_program(RAPPORTEUR_BIN, {"--db", db_of(base), "init"}, {}).status, 0);
  EXPECT_EQ(run_program(RAPPORTEUR_BIN, {"--db", db_of(base), "key", "init"}, {}).status, 0);
  return base;
}

// What `args` prints, run on the instance in `dir`.
std::string output_of(const fs::path& dir, const std::vector<std::string>& args) {
  const fs::path out = dir.parent_path() / (dir.filename().string() + ".out");
  std::vector<std::string> all = {"--db", db_of(dir), "--log-level", "error"};
  all.insert(all.end(), args.begin(), args.end());
  const Exit exit = run_program(RAPPORTEUR_BIN, all, {.stdout_file = out.string()});
  return "exit " + std::to_string(exit.status) + "\n" + read_text(out);
}

long total_points = 0;

void report(const std::string& name, const Outcome& outcome) {
  total_points += outcome.points;
  std::printf("%s: %ld kill points (left as before %ld, as after %ld, intermediate %ld); %ld so far\n", name.c_str(),
              outcome.points, outcome.left_before, outcome.left_after, outcome.left_intermediate, total_points);
}

TEST(WriteCrash, MigrationsLeaveOneWholeSchemaVersion) {
  TempDir work;
  const fs::path base = work / "empty";
  fs::create_directories(base);
  Operation op{.args = {"--db", "{dir}/r.db", "init"}};
  // The state of a database migrated to each version in turn, and of an empty file.
  const int latest = rapporteur::store::latest_schema_version();
  for (int version = 1; version < latest; ++version) {
    const fs::path db = work / ("v" + std::to_string(version) + ".db");
    ASSERT_TRUE(rapporteur::store::open_sqlite_store(db, {.target_version = version}).has_value());
    op.intermediate.push_back(state_of(db));
  }
  {
    sqlite3* db = nullptr;
    const fs::path empty = work / "empty.db";
    ASSERT_EQ(sqlite3_open(empty.c_str(), &db), SQLITE_OK);
    sqlite3_exec(db, "PRAGMA journal_mode = WAL", nullptr, nullptr, nullptr);
    sqlite3_close(db);
    op.intermediate.push_back(state_of(empty));
  }

  const Outcome outcome = kill_everywhere(work.path(), base, op);

  report("migrations", outcome);
  EXPECT_GE(outcome.points, 3 * latest) << "a migration is a transaction of at least three writes";
  EXPECT_GT(outcome.left_intermediate, 0);
}

// A synthetic police extract: 24 good rows (some people twice, some without a national id)
// and 3 that are quarantined.
std::string police_extract() {
  std::string csv =
      "BSN;Voornaam;Achternaam;Geb.datum;Geslacht;Mandaat;Rol;Vorm uitbuiting;Delicttype;Nationaliteit;"
      "Gemeente;Ketenfase;Datum registratie;Registratienummer\r\n";
  for (int i = 0; i < 24; ++i) {
    const int person = i % 18;
    const std::string bsn = person % 5 == 0 ? "" : std::to_string(100000000 + person * 7919);
    csv += bsn + ";" + rapporteur::testing::letters(person + 30) + ";Test" + rapporteur::testing::letters(person) +
           ";" + std::to_string(1 + person % 28) + "-0" + std::to_string(1 + person % 9) + "-19" +
           std::to_string(70 + person) + ";" + (person % 2 ? "vrouw" : "man") +
           ";mensenhandel;slachtoffer;seksuele uitbuiting;;nederland;;;01-03-2023\r\n";
  }
  csv += "123456782;Foo;Bar;31-02-1990;vrouw;mensenhandel;slachtoffer;;;nederland;;;01-03-2023\r\n";  // No such date.
  csv += "123456783;Foo;Baz;01-01-1990;vrouwelijk;mensenhandel;slachtoffer;;;nederland;;;01-03-2023\r\n";  // Unknown
                                                                                                           // label.
  csv += ";;;;vrouw;;slachtoffer;;;nederland;;;01-03-2023\r\n";  // No mandate.
  return csv;
}

// The same people as victims reported to CoMensha: persons 10..17 of the police extract, some
// without their national id, and two people the police did not see.
std::string comensha_extract() {
  std::string csv =
      "BSN,Voornaam,Achternaam,Geboortedatum,Geslacht,Vorm uitbuiting,Nationaliteit,Gemeente,"
      "Verblijfsstatus,Datum melding,Dossiernummer\n";
  for (int person = 10; person < 20; ++person) {
    const std::string bsn = person % 3 == 0 || person >= 18 ? "" : std::to_string(100000000 + person * 7919);
    csv += bsn + "," + rapporteur::testing::letters(person + 30) + ",Test" + rapporteur::testing::letters(person) +
           "," + std::to_string(1 + person % 28) + "-0" + std::to_string(1 + person % 9) + "-19" +
           std::to_string(70 + person) + "," + (person % 2 ? "vrouw" : "man") +
           ",seksuele uitbuiting,nederland,,nederlands,05-06-2023\n";
  }
  return csv;
}

std::string linked_2023(const fs::path& dir) {
  return output_of(dir, {"linkage", "histories", "--year", "2023", "--method", "deterministic"}) +
         output_of(dir, {"linkage", "histories", "--year", "2023", "--method", "probabilistic"});
}

// A rotation killed anywhere leaves the old key in force or the new one (the database naming
// the key file's key, or the pending ".next" file's, which the next `key rotate` puts in
// place); linkage finds the same persons throughout, and after `key rotate` again a new extract
// links as it does in an instance whose key was never rotated.
TEST(WriteCrash, KeyRotationLeavesTheOldKeyOrTheNewOneAndKeepsEveryLink) {
  TempDir work;
  const fs::path base = initialised(work.path());
  write_text(work / "politie.csv", police_extract());
  write_text(work / "comensha.csv", comensha_extract());
  const auto load = [&](const fs::path& dir, const std::string& profile) {
    return run_program(RAPPORTEUR_BIN,
                       {"--db", db_of(dir), "intake", "load", (work / (profile + ".csv")).string(), "--profile",
                        RAPPORTEUR_SOURCE_DIR "/profiles/" + profile + ".toml", "--year", "2023"},
                       {});
  };
  ASSERT_EQ(load(base, "politie").status, 0);
  const std::string before = linked_2023(base);
  const fs::path reference = work / "never-rotated";
  fs::copy(base, reference, fs::copy_options::recursive);
  ASSERT_EQ(load(reference, "comensha").status, 0);
  const std::string with_comensha = linked_2023(reference);
  ASSERT_NE(with_comensha, before);

  Outcome outcome;
  for (long at = 1; at < 5000; ++at) {
    const fs::path dir = work / "run";
    fs::remove_all(dir);
    fs::copy(base, dir, fs::copy_options::recursive);
    const Exit killed = run_program(RAPPORTEUR_BIN, {"--db", db_of(dir), "key", "rotate"}, {.crash_at = at});
    if (!killed.killed) {
      ASSERT_EQ(killed.status, 0) << "the rotation with no crash point left failed";
      break;
    }
    ++outcome.points;

    (void)state_of(dir / "r.db");  // Checks the database's integrity.
    EXPECT_EQ(linked_2023(dir), before) << "kill point " << at << ": a link was lost";
    // The key file holds the key in force (the old one, or the new one once renamed), or the
    // database already names the pending ".next" key and intake refuses until it is finished.
    const bool in_force = load(dir, "comensha").status == 0;
    if (in_force) {
      ++outcome.left_before;
    } else {
      ++outcome.left_after;
      EXPECT_TRUE(fs::exists(dir / "pseudonym.key.next")) << "kill point " << at << ": no key matches the database";
      EXPECT_EQ(run_program(RAPPORTEUR_BIN, {"--db", db_of(dir), "key", "rotate"}, {}).status, 0)
          << "kill point " << at;
      EXPECT_FALSE(fs::exists(dir / "pseudonym.key.next")) << "kill point " << at;
      EXPECT_EQ(linked_2023(dir), before) << "kill point " << at;
      ASSERT_EQ(load(dir, "comensha").status, 0) << "kill point " << at << ": no key in force after finishing";
    }
    EXPECT_EQ(linked_2023(dir), with_comensha) << "kill point " << at;
  }

  // Here "before": the key file was in force at restart; "after": the rotation had to be finished.
  report("key rotation", outcome);
  EXPECT_GE(outcome.points, 24);
  EXPECT_GT(outcome.left_before, 0);
  EXPECT_GT(outcome.left_after, 0);
}

TEST(WriteCrash, IntakeLoadsAWholeBatchOrNothingAndLinksTheSameAfterARepeat) {
  TempDir work;
  const fs::path base = initialised(work.path());
  write_text(work / "politie.csv", police_extract());
  const Operation op{.args = {"--db", "{dir}/r.db", "--key", (base / "pseudonym.key").string(), "intake", "load",
                              (work / "politie.csv").string(), "--profile",
                              RAPPORTEUR_SOURCE_DIR "/profiles/politie.toml", "--year", "2023"},
                     // Read-only observation: `linkage run` keeps person ids, so it would write what is compared.
                     .observe = [&](const fs::path& dir) { return linked_2023(dir); }};

  const Outcome outcome = kill_everywhere(work.path(), base, op);

  report("intake load", outcome);
  EXPECT_GE(outcome.points, 24) << "at least a point per row";
  EXPECT_GT(outcome.left_before, 0);
  EXPECT_GT(outcome.left_after, 0);
}

// A clerk's decision on a pair and its audit record are written together or not at all; the
// review (read-only) shows the decision exactly when it is stored.
TEST(WriteCrash, LinkageDecideStoresTheDecisionWithItsAuditRecord) {
  TempDir work;
  const fs::path base = initialised(work.path());
  write_text(work / "politie.csv", police_extract());
  ASSERT_EQ(run_program(RAPPORTEUR_BIN,
                        {"--db", db_of(base), "intake", "load", (work / "politie.csv").string(), "--profile",
                         RAPPORTEUR_SOURCE_DIR "/profiles/politie.toml", "--year", "2023"},
                        {})
                .status,
            0);
  const Operation op{
      .args = {"--db", "{dir}/r.db", "linkage", "decide", "--year", "2023", "--pair", "r1-r2", "--decision",
               "non-match"},
      .repeat = Repeat::kOnlyIfNotDone,
      .observe = [](const fs::path& dir) {
        return output_of(dir, {"linkage", "review", "--year", "2023", "--from", "0", "--to", "1", "--format", "csv"});
      }};

  const Outcome outcome = kill_everywhere(work.path(), base, op);

  report("linkage decide", outcome);
  EXPECT_GE(outcome.points, 2);
  EXPECT_GT(outcome.left_before, 0);
}

// A publication with two recommendations and its side-car.
void write_publication(const fs::path& folder, const std::string& slug, const std::string& title) {
  fs::create_directories(folder);
  write_text(folder / (slug + ".md"),
             "# " + title + "\n\nOver arbeidsuitbuiting en seksuele uitbuiting van kinderen.\n");
  write_text(
      folder / (slug + ".md.toml"),
      "slug = \"" + slug +
          "\"\ntype = \"monitor\"\ndate = \"2024-05-01\"\n"
          "[[recommendation]]\nnumber = 1\ntext = \"Meer opvang.\"\naddressee = \"Minister van JenV\"\nyear = 2024\n"
          "[[recommendation]]\nnumber = 2\ntext = \"Betere registratie.\"\naddressee = \"Politie\"\nyear = 2024\n");
}

std::string search(const fs::path& dir) { return output_of(dir, {"kb", "search", "uitbuiting", "--json"}); }

TEST(WriteCrash, KnowledgeBaseAddStoresAWholePublicationTheIndexFollows) {
  TempDir work;
  const fs::path base = initialised(work.path());
  write_publication(work / "docs", "monitor-2024", "Monitor 2024");
  const Operation op{.args = {"--db", "{dir}/r.db", "kb", "add", (work / "docs" / "monitor-2024.md").string()},
                     .observe = search};

  const Outcome outcome = kill_everywhere(work.path(), base, op);

  report("kb add", outcome);
  EXPECT_GE(outcome.points, 5);
}

TEST(WriteCrash, KnowledgeBaseRebuildLeavesTheStoreAndASearchableIndex) {
  TempDir work;
  const fs::path base = initialised(work.path());
  write_publication(work / "docs", "monitor-2023", "Monitor 2023");
  write_publication(work / "docs", "monitor-2024", "Monitor 2024");
  ASSERT_EQ(run_program(RAPPORTEUR_BIN, {"--db", db_of(base), "kb", "add", (work / "docs").string()}, {}).status, 0);
  // The search index is rebuilt from the store in a new folder and swapped in; a kill between
  // the two renames leaves no index, which the next open rebuilds: every search a restart
  // makes must find what it found before.
  Operation op{.args = {"--db", "{dir}/r.db", "kb", "rebuild"}, .observe = search, .changes_database = false};

  const Outcome outcome = kill_everywhere(work.path(), base, op);

  report("kb rebuild", outcome);
  EXPECT_GE(outcome.points, 3);
}

TEST(WriteCrash, AccountImportStoresAWholeYear) {
  TempDir work;
  const fs::path base = initialised(work.path());
  write_text(work / "2023.yaml",
             "year: 2023\n"
             "activities:\n"
             "  - {date: 2023-02-01, kind: advisory_board, organisation: Ministerie, title: Overleg, notes: kort}\n"
             "  - {date: 2023-05-11, kind: presentation, organisation: Gemeente, title: Lezing}\n"
             "media:\n"
             "  - {date: 2023-03-04, outlet: NOS, kind: tv, topic: Uitbuiting}\n"
             "finances:\n"
             "  budget_total: \"4.100.000,00\"\n"
             "  spending_total: \"4.050.000,00\"\n"
             "  result: \"50.000,00\"\n"
             "  budget: [{funder: BZK, description: Basis, kind: structural, amount: \"4.100.000\"}]\n"
             "  spending: [{category: staff, description: Salarissen, amount: \"2.050.000\"},"
             " {category: research, description: Onderzoek, amount: \"2.000.000\"}]\n");
  const Operation op{.args = {"--db", "{dir}/r.db", "account", "import", (work / "2023.yaml").string()}};

  const Outcome outcome = kill_everywhere(work.path(), base, op);

  report("account import", outcome);
  EXPECT_GE(outcome.points, 6) << "a point per entry at least";
}

TEST(WriteCrash, UserAddStoresTheUserWithItsAuditRecord) {
  TempDir work;
  const fs::path base = initialised(work.path());
  write_text(work / "password", "een lang wachtwoord voor de test\n");
  const Operation op{.args = {"--db", "{dir}/r.db", "user", "add", "bob", "--role", "editor", "--password-stdin"},
                     .stdin_file = (work / "password").string(),
                     .repeat = Repeat::kOnlyIfNotDone};

  const Outcome outcome = kill_everywhere(work.path(), base, op);

  report("user add", outcome);
  EXPECT_GE(outcome.points, 3);
}

// Sessions: through session_writer, which calls auth as the web server does.
TEST(WriteCrash, SignInFailedSignInAndSignOutAreEachWholeOrAbsent) {
  TempDir work;
  const fs::path base = initialised(work.path());
  write_text(work / "password", "een lang wachtwoord voor de test\n");
  ASSERT_EQ(
      run_program(RAPPORTEUR_BIN, {"--db", db_of(base), "user", "add", "anna", "--role", "admin", "--password-stdin"},
                  {.stdin_file = (work / "password").string()})
          .status,
      0);
  const fs::path token_file = work / "token";
  ASSERT_EQ(run_program(SESSION_WRITER_BIN, {db_of(base), "sign-in", "anna", "een lang wachtwoord voor de test"},
                        {.stdout_file = token_file.string()})
                .status,
            0);
  const std::string token = read_text(token_file);
  ASSERT_EQ(token.size(), 64u);
  Outcome all;

  for (const auto& [name, args] : std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"sign-in", {"{dir}/r.db", "sign-in", "anna", "een lang wachtwoord voor de test"}},
           {"failed sign-in", {"{dir}/r.db", "sign-in", "anna", "een verkeerd wachtwoord"}},
           {"sign-out", {"{dir}/r.db", "sign-out", token}}}) {
    const Operation op{.program = SESSION_WRITER_BIN, .args = args, .repeat = Repeat::kOnlyIfNotDone};
    const Outcome outcome = kill_everywhere(work.path(), base, op);
    report(name, outcome);
    EXPECT_GE(outcome.points, 2) << name;
    all.points += outcome.points;
  }

  EXPECT_GE(all.points, 6);
}

}  // namespace
