// Publish is all or nothing: the binary is killed (SIGKILL, through RAPPORTEUR_CRASH_AT) at
// every crash point of a publication in turn. After each kill the store must serve the old
// release whole or the new one whole, recorded in the audit log either way (the release and
// its record are one transaction), and the published folder (the store's copy for people and
// scripts) must hold a whole release too, the old or the new one; publishing again must give
// exactly what an uninterrupted run gives, in the store and in the folder.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <nlohmann/json.hpp>

#include "kill_run.h"
#include "store/store.h"
#include "test_support.h"

namespace {

namespace fs = std::filesystem;
using rapporteur::testing::TempDir;

using rapporteur::testing::Exit;
using rapporteur::testing::read_file;

// Runs the binary with `args`, output discarded; crash_at > 0 sets RAPPORTEUR_CRASH_AT.
Exit run(const std::vector<std::string>& args, long crash_at = 0) {
  return rapporteur::testing::run_program(RAPPORTEUR_BIN, args, {.crash_at = crash_at});
}

// An independent SHA-256 (OpenSSL's one-shot API), to check the manifest's hashes.
std::string sha256(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  static const char* kHex = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

// The files of the served release by name, after checking that it is whole: a manifest whose
// every file exists with its hash. Fails the test (and returns what it has) otherwise.
std::map<std::string, std::string> served_files(const fs::path& folder, nlohmann::json& manifest) {
  std::map<std::string, std::string> files;
  const fs::path current = folder / "current";
  EXPECT_TRUE(fs::is_symlink(current)) << "nothing is served";
  manifest = nlohmann::json::parse(read_file(current / "MANIFEST"), nullptr, false);
  EXPECT_TRUE(manifest.is_object()) << "the served release has no readable manifest";
  if (!manifest.is_object()) return files;
  for (const auto& [table, entry] : manifest["tables"].items()) {
    for (const auto& [file, hash] : entry["files"].items()) {
      const std::string bytes = read_file(current / file);
      EXPECT_EQ(sha256(bytes), hash.get<std::string>()) << file << " is not whole";
      files[file] = bytes;
    }
  }
  // A file opened by its flat name reads the served release's copy, or does not exist yet.
  for (const auto& entry : fs::directory_iterator(folder)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with(".") && name.ends_with(".tmp")) continue;  // A writer's temporary, never served.
    if (!entry.is_symlink() || name == "current") continue;
    const auto found = files.find(entry.path().filename().string());
    if (!fs::exists(entry.path())) continue;
    EXPECT_NE(found, files.end()) << entry.path() << " leads outside the served release";
    if (found != files.end()) {
      EXPECT_EQ(read_file(entry.path()), found->second) << entry.path();
    }
  }
  return files;
}

// The files of the release the store at `db` serves by name, read through the store's own
// interface and checked against an independent SHA-256; `id` is set to the release's id.
// Fails the test when a file's bytes are missing or do not match, or the release is not
// recorded as published in the audit log.
std::map<std::string, std::string> store_files(const fs::path& db, std::string& id) {
  std::map<std::string, std::string> files;
  auto store = rapporteur::store::open_sqlite_store(db);
  EXPECT_TRUE(store.has_value());
  if (!store) return files;
  auto served = (*store)->get_meta("served_release");
  EXPECT_TRUE(served.has_value()) << "the store serves nothing";
  if (!served) return files;
  id = *served;
  const auto release = (*store)->release(id);
  EXPECT_TRUE(release.has_value()) << "the served release " << id << " is not in the store";
  if (!release) return files;
  for (const auto& entry : release->files) {
    const auto bytes = (*store)->file(entry.sha256);
    EXPECT_TRUE(bytes.has_value() && bytes->has_value()) << entry.name << " has no stored bytes";
    if (!bytes || !*bytes) continue;
    EXPECT_EQ(sha256(**bytes), entry.sha256) << entry.name << " is not whole";
    if (entry.name != "ESTIMATES.json") files[entry.name] = **bytes;
  }
  const auto log = (*store)->audit_log(5000).value();
  EXPECT_TRUE(
      std::any_of(log.begin(), log.end(),
                  [&](const auto& e) { return e.action == "publish" && e.detail.starts_with("release " + id); }))
      << "release " << id << " is served but not recorded";
  return files;
}

// Copies the SQLite database `from` (closed, so its WAL is checkpointed into it) to `to`.
void copy_database(const fs::path& from, const fs::path& to) {
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  for (const char* suffix : {"-wal", "-shm"}) {
    std::error_code ignored;
    fs::remove(to.string() + suffix, ignored);
  }
}

TEST(PublishCrash, AKillAtAnyPointLeavesTheOldReleaseOrTheNewOneWhole) {
  TempDir dir;
  const fs::path demo = dir / "demo.db";
  ASSERT_EQ(
      run({"--db", demo.string(), "--log-level", "warn", "demo", "--first-year", "2021", "--last-year", "2021"}).status,
      0);
  // Tables quick to protect: the kill runs repeat a publication hundreds of times, and the
  // four-dimensional victims table (protection and audit of several thousand cells, half a
  // minute on a loaded machine) would take this test past any time limit; the write path is
  // the same for every table.
  const std::vector<std::string> old_set = {"suspects-chain", "victims-region-form"};
  const std::vector<std::string> new_set = {"suspects-chain", "victims-region-form", "children-region-offence"};
  const auto publish = [&](const fs::path& db, const fs::path& folder, const std::vector<std::string>& set,
                           long crash_at = 0) {
    std::vector<std::string> args = {"--db", db.string(), "--log-level", "warn", "publish"};
    args.insert(args.end(), set.begin(), set.end());
    // Persons by exact keys: linkage only reads, so the write path killed here is the same, and
    // linking the year probabilistically in each of the hundreds of kill runs would take this
    // test past its time limit (the probabilistic publish is tested in tests/cli/publish_test.cpp).
    args.insert(args.end(), {"--out", folder.string(), "--date", "2026-12-01", "--linkage", "deterministic"});
    return run(args, crash_at);
  };
  // What an uninterrupted run serves, and the old release every kill run starts from.
  copy_database(demo, dir / "reference.db");
  ASSERT_EQ(publish(dir / "reference.db", dir / "reference", new_set).status, 0);
  nlohmann::json reference_manifest;
  const auto reference = served_files(dir / "reference", reference_manifest);
  ASSERT_EQ(reference.size(), 9u);
  std::string reference_id;
  EXPECT_EQ(store_files(dir / "reference.db", reference_id), reference) << "the folder is the store's copy";
  EXPECT_EQ(reference_manifest["release"], reference_id);
  copy_database(demo, dir / "base.db");
  ASSERT_EQ(publish(dir / "base.db", dir / "base", old_set).status, 0);
  nlohmann::json old_manifest;
  const auto old_files = served_files(dir / "base", old_manifest);
  ASSERT_EQ(old_files.size(), 6u);
  std::string old_id;
  ASSERT_EQ(store_files(dir / "base.db", old_id), old_files);

  long points = 0;
  for (long at = 1; at < 500; ++at) {
    const fs::path folder = dir / ("run" + std::to_string(at));
    const fs::path db = dir / ("run" + std::to_string(at) + ".db");
    copy_database(dir / "base.db", db);
    fs::copy(dir / "base", folder, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    const Exit killed = publish(db, folder, new_set, at);
    if (!killed.killed) {
      ASSERT_EQ(killed.status, 0) << "the run with no crash point left failed";
      break;
    }
    ++points;

    std::string id;
    const auto stored = store_files(db, id);
    if (id == old_id) {
      EXPECT_EQ(stored, old_files) << "kill point " << at << ": the store's old release changed";
    } else {
      EXPECT_EQ(stored, reference) << "kill point " << at << ": the store's new release is not what the run writes";
    }
    nlohmann::json manifest;
    const auto files = served_files(folder, manifest);
    std::set<std::string> runs;
    for (const auto& [table, entry] : manifest["tables"].items()) runs.insert(entry["run"].get<std::string>());
    if (manifest["release"] == old_manifest["release"]) {
      EXPECT_EQ(files, old_files) << "kill point " << at << ": the folder's old release changed";
    } else {
      EXPECT_EQ(manifest["release"], id) << "kill point " << at
                                         << ": the folder holds a release the store does not serve";
      EXPECT_EQ(runs.size(), 1u) << "kill point " << at << ": the new release mixes runs";
      EXPECT_EQ(files, reference) << "kill point " << at << ": the folder's new release is not what the run writes";
    }
    // Repeating the publication gives the uninterrupted run's release, in the store and the folder.
    ASSERT_EQ(publish(db, folder, new_set).status, 0) << "kill point " << at;
    nlohmann::json repeated_manifest;
    EXPECT_EQ(served_files(folder, repeated_manifest), reference) << "kill point " << at;
    std::string repeated_id;
    EXPECT_EQ(store_files(db, repeated_id), reference) << "kill point " << at;
    EXPECT_EQ(repeated_manifest["release"], repeated_id) << "kill point " << at;
    for (const auto& entry : fs::recursive_directory_iterator(folder)) {
      EXPECT_FALSE(entry.path().filename().string().ends_with(".tmp")) << "left behind: " << entry.path();
    }
    fs::remove_all(folder);
    for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db.string() + suffix);
  }

  EXPECT_GE(points, 50) << "too few crash points were reached";
}

// A user and its audit record are one transaction: killed between the two writes, the
// instance has neither, and adding the user again works.
TEST(UserAddCrash, AKillBetweenTheUserAndItsRecordLeavesNeither) {
  TempDir dir;
  const std::string db = (dir / "r.db").string();
  ASSERT_EQ(run({"--db", db, "init"}).status, 0);

  const Exit killed = run({"--db", db, "user", "add", "bob", "--role", "admin"}, 1);

  ASSERT_TRUE(killed.killed) << "the crash point was not reached";
  {
    auto store = rapporteur::store::open_sqlite_store(dir / "r.db");
    ASSERT_TRUE(store.has_value());
    EXPECT_EQ((*store)->user("bob").error().code, rapporteur::ErrorCode::kNotFound);
    const auto log = (*store)->audit_log(100);
    ASSERT_TRUE(log.has_value());
    EXPECT_TRUE(log->empty()) << "an audit record without its user";
  }
  EXPECT_EQ(run({"--db", db, "user", "add", "bob", "--role", "admin"}).status, 0) << "repeating repairs it";
  auto store = rapporteur::store::open_sqlite_store(dir / "r.db");
  ASSERT_TRUE(store.has_value());
  EXPECT_TRUE((*store)->user("bob").has_value());
  EXPECT_EQ((*store)->audit_log(100)->size(), 1u);
}

}  // namespace
