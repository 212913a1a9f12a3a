// A process killed with SIGKILL while writing must leave a consistent database that opens,
// holding exactly the transactions that committed.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include <gtest/gtest.h>

#include "store/store.h"
#include "test_support.h"

namespace rapporteur::store {
namespace {

using rapporteur::testing::TempDir;

constexpr int kBatch = 4000;

std::vector<Registration> batch(int number) {
  std::vector<Registration> rows;
  rows.reserve(kBatch);
  for (int i = 0; i < kBatch; ++i) {
    Registration r;
    r.source_code = "politie";
    r.person_key = "b" + std::to_string(number) + "-" + std::to_string(i);
    r.year = 2020;
    r.exploitation_form = ExploitationForm::kLabour;
    rows.push_back(std::move(r));
  }
  return rows;
}

void prepare(const std::filesystem::path& path) {
  auto store = open_sqlite_store(path);
  ASSERT_TRUE(store.has_value());
  ASSERT_TRUE((*store)->put_source({"politie", "Nationale Politie", SourceKind::kPolice}));
}

// Child side: never returns; writes one byte to `report` at each point the parent waits for.
[[noreturn]] void write_until_killed(const std::filesystem::path& path, int report, int hold) {
  auto store = open_sqlite_store(path);
  if (!store) _exit(3);
  for (int number = 0;; ++number) {
    auto result = (*store)->transact([&]() -> Result<void> {
      RETURN_IF_ERROR((*store)->add_registrations(batch(number)));
      if (hold >= 0 && number == 1) {
        // Half-way through the second transaction: tell the parent, then wait for the kill.
        char byte = 'h';
        if (write(report, &byte, 1) != 1) _exit(4);
        char never = 0;
        (void)read(hold, &never, 1);
        _exit(5);
      }
      RETURN_IF_ERROR((*store)->add_registrations(batch(number + 100000)));
      return ok();
    });
    if (!result) _exit(6);
    char byte = 'c';
    if (write(report, &byte, 1) != 1) _exit(4);
  }
}

struct Inspection {
  std::string integrity;
  std::int64_t registrations = 0;
};

Inspection inspect(const std::filesystem::path& path) {
  Inspection out;
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &stmt, nullptr);
  if (sqlite3_step(stmt) == SQLITE_ROW) {
    out.integrity = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
  }
  sqlite3_finalize(stmt);
  sqlite3_prepare_v2(db, "SELECT count(*) FROM registrations", -1, &stmt, nullptr);
  if (sqlite3_step(stmt) == SQLITE_ROW) out.registrations = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return out;
}

TEST(CrashSafety, KillInsideATransactionKeepsOnlyCommittedWork) {
  TempDir dir;
  const auto path = dir / "crash.db";
  prepare(path);
  int report[2];
  int hold[2];
  ASSERT_EQ(pipe(report), 0);
  ASSERT_EQ(pipe(hold), 0);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(report[0]);
    close(hold[1]);
    write_until_killed(path, report[1], hold[0]);
  }
  close(report[1]);
  close(hold[0]);
  char first = 0;
  char second = 0;
  ASSERT_EQ(read(report[0], &first, 1), 1);
  ASSERT_EQ(read(report[0], &second, 1), 1);
  ASSERT_EQ(first, 'c');   // Transaction 0 committed.
  ASSERT_EQ(second, 'h');  // Transaction 1 has written half and is still open.
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(report[0]);
  close(hold[1]);

  ASSERT_TRUE(WIFSIGNALED(status));
  const Inspection after = inspect(path);
  EXPECT_EQ(after.integrity, "ok");
  EXPECT_EQ(after.registrations, 2 * kBatch);  // Exactly transaction 0: two batches.
  const auto reopened = open_sqlite_store(path);
  ASSERT_TRUE(reopened.has_value()) << reopened.error().message;
  EXPECT_EQ((*reopened)->count_registrations({}).value(), 2 * kBatch);
}

TEST(CrashSafety, KillAtAnArbitraryMomentOfALargeWriteLeavesWholeTransactions) {
  TempDir dir;
  const auto path = dir / "crash-any.db";
  prepare(path);
  int report[2];
  ASSERT_EQ(pipe(report), 0);

  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(report[0]);
    write_until_killed(path, report[1], -1);
  }
  close(report[1]);
  // Let three transactions commit, then kill while the child keeps writing.
  for (int i = 0; i < 3; ++i) {
    char byte = 0;
    ASSERT_EQ(read(report[0], &byte, 1), 1);
  }
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  close(report[0]);

  ASSERT_TRUE(WIFSIGNALED(status));
  const Inspection after = inspect(path);
  EXPECT_EQ(after.integrity, "ok");
  EXPECT_GE(after.registrations, 3 * 2 * kBatch);
  EXPECT_EQ(after.registrations % (2 * kBatch), 0) << "a transaction was partly kept";
  EXPECT_TRUE(open_sqlite_store(path).has_value());
}

}  // namespace
}  // namespace rapporteur::store
