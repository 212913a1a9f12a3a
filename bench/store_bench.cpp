// Bulk write of registrations through the Store against the anchor: the same rows inserted
// with plain prepared SQLite statements in one transaction, with the same pragmas. The ratio
// is what the store's validation, person linking and abstraction cost. Median of 5 runs each.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <fmt/format.h>

#include "demo/demo.h"
#include "store/store.h"
#include "test_support.h"

namespace {

using Clock = std::chrono::steady_clock;
using rapporteur::testing::TempDir;

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

double time_store(const rapporteur::demo::World& world, const TempDir& dir, int run) {
  auto store = rapporteur::store::open_sqlite_store(dir / fmt::format("store-{}.db", run)).value();
  for (const auto& source : world.sources) (void)store->put_source(source);
  for (const auto& region : world.regions) (void)store->put_region(region);
  const auto start = Clock::now();
  const auto inserted = store->add_registrations(world.registrations);
  const auto seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (!inserted || *inserted != static_cast<std::int64_t>(world.registrations.size())) {
    std::fprintf(stderr, "store insert failed\n");
    std::exit(1);
  }
  return seconds;
}

double time_anchor(const rapporteur::demo::World& world, const TempDir& dir, int run) {
  sqlite3* db = nullptr;
  sqlite3_open((dir / fmt::format("anchor-{}.db", run)).c_str(), &db);
  sqlite3_exec(db,
               "PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
               "CREATE TABLE r (source TEXT, person TEXT, year INT, mandate TEXT, role TEXT, "
               "form TEXT, offence TEXT, sex TEXT, age INT, nationality TEXT, region TEXT, "
               "stage TEXT, residence TEXT)",
               nullptr, nullptr, nullptr);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "INSERT INTO r VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &stmt, nullptr);
  const auto start = Clock::now();
  sqlite3_exec(db, "BEGIN", nullptr, nullptr, nullptr);
  for (const auto& r : world.registrations) {
    sqlite3_bind_text(stmt, 1, r.source_code.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 2, r.person_key.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(stmt, 3, r.year);
    sqlite3_bind_text(stmt, 4, rapporteur::to_code(r.mandate).data(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 5, rapporteur::to_code(r.role).data(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(stmt, 8, rapporteur::to_code(r.sex).data(), -1, SQLITE_TRANSIENT);
    if (r.age) sqlite3_bind_int(stmt, 9, *r.age);
    if (r.region_code) sqlite3_bind_text(stmt, 11, r.region_code->c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
  }
  sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr);
  const auto seconds = std::chrono::duration<double>(Clock::now() - start).count();
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return seconds;
}

}  // namespace

int main() {
  const auto world = rapporteur::demo::generate_world({.seed = 1, .first_year = 2021, .last_year = 2022});
  if (!world) return 1;
  TempDir dir;
  std::vector<double> store_times;
  std::vector<double> anchor_times;
  for (int run = 0; run < 5; ++run) {
    anchor_times.push_back(time_anchor(*world, dir, run));
    store_times.push_back(time_store(*world, dir, run));
  }
  const double store_s = median(store_times);
  const double anchor_s = median(anchor_times);
  const double rows = static_cast<double>(world->registrations.size());
  fmt::print("store.add_registrations: {:.0f} rows in {:.1f} ms ({:.0f} rows/s)\n", rows, store_s * 1e3,
             rows / store_s);
  fmt::print("anchor raw sqlite3 insert: {:.1f} ms\n", anchor_s * 1e3);
  fmt::print("ratio store/anchor: {:.2f}\n", store_s / anchor_s);
  return 0;
}
