// The store contract, staff role: accounts, sessions, sign-in attempts, the audit log and
// jobs. Every backend must pass these; expected values are written out by hand.
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace rapporteur::store::testing {
namespace {

User user_named(const std::string& name, UserRole role) {
  return {name, role, "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA", "2026-01-01T00:00:00Z", 0, ""};
}

TEST_P(StoreContract, UsersRoundTripAreListedByNameAndAreUnique) {
  ASSERT_TRUE(store().add_user(user_named("willem", UserRole::kResearcher)));
  ASSERT_TRUE(store().add_user(user_named("anna", UserRole::kAdmin)));

  const auto duplicate = store().add_user(user_named("anna", UserRole::kEditor));
  const auto users = store().users().value();

  ASSERT_FALSE(duplicate.has_value());
  EXPECT_EQ(duplicate.error().code, ErrorCode::kConflict);
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[0].name, "anna");
  EXPECT_EQ(users[0].role, UserRole::kAdmin);
  EXPECT_EQ(users[1].name, "willem");
  const User read = store().user("willem").value();
  EXPECT_EQ(read.password_hash, "$argon2id$v=19$m=65536,t=3,p=1$c2FsdA$aGFzaA");
  EXPECT_EQ(read.created_at, "2026-01-01T00:00:00Z");
  EXPECT_EQ(read.failed_attempts, 0);
  EXPECT_EQ(read.locked_until, "");
  EXPECT_EQ(store().user("nobody").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, SignInAttemptsSetTheFailureCountAndLock) {
  ASSERT_TRUE(store().add_user(user_named("anna", UserRole::kAdmin)));
  ASSERT_TRUE(store().add_user(user_named("bert", UserRole::kEditor)));

  ASSERT_TRUE(store().record_sign_in_attempt("anna", 5, "2026-01-01T00:15:00Z"));
  ASSERT_TRUE(store().record_sign_in_attempt("nobody", 1, ""));

  EXPECT_EQ(store().user("anna").value().failed_attempts, 5);
  EXPECT_EQ(store().user("anna").value().locked_until, "2026-01-01T00:15:00Z");
  EXPECT_EQ(store().user("bert").value().failed_attempts, 0);
  ASSERT_TRUE(store().record_sign_in_attempt("anna", 0, ""));
  EXPECT_EQ(store().user("anna").value().locked_until, "");
}

TEST_P(StoreContract, SessionsExpireAndCanBeDeleted) {
  ASSERT_TRUE(store().add_user(user_named("anna", UserRole::kAdmin)));
  ASSERT_TRUE(store().add_session({"hash-1", "anna", "csrf-1", "2026-01-01T12:00:00Z"}));
  ASSERT_TRUE(store().add_session({"hash-2", "anna", "csrf-2", "2026-01-02T12:00:00Z"}));

  const auto before = store().session("hash-1", "2026-01-01T11:59:59Z");
  const auto at_expiry = store().session("hash-1", "2026-01-01T12:00:00Z");
  ASSERT_TRUE(store().delete_session("hash-2"));
  ASSERT_TRUE(store().delete_session("hash-never"));

  ASSERT_TRUE(before.has_value());
  EXPECT_EQ(before->token_hash, "hash-1");
  EXPECT_EQ(before->user_name, "anna");
  EXPECT_EQ(before->csrf_token, "csrf-1");
  EXPECT_EQ(before->expires_at, "2026-01-01T12:00:00Z");
  ASSERT_FALSE(at_expiry.has_value());
  EXPECT_EQ(at_expiry.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().session("hash-2", "2026-01-01T00:00:00Z").error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().session("hash-x", "2026-01-01T00:00:00Z").error().code, ErrorCode::kNotFound);
  EXPECT_FALSE(store().add_session({"hash-3", "nobody", "csrf-3", "2026-01-02T12:00:00Z"}).has_value());
}

TEST_P(StoreContract, AuditLogIsNewestFirstUpToTheLimit) {
  ASSERT_TRUE(store().audit({"2026-01-01T10:00:00Z", "anna", "sign_in", ""}));
  ASSERT_TRUE(store().audit({"2026-01-01T10:01:00Z", "anna", "intake_load", "politie 2023"}));
  ASSERT_TRUE(store().audit({"2026-01-01T10:02:00Z", "bert", "publish", "monitor-2023"}));

  const auto two = store().audit_log(2).value();
  const auto all = store().audit_log(10).value();

  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[0].action, "publish");
  EXPECT_EQ(two[0].user_name, "bert");
  EXPECT_EQ(two[0].detail, "monitor-2023");
  EXPECT_EQ(two[1].action, "intake_load");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[2].at, "2026-01-01T10:00:00Z");
}

TEST_P(StoreContract, AuditWrittenInAFailedTransactionIsGone) {
  const auto result = store().transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store().add_user(user_named("bert", UserRole::kEditor)));
    RETURN_IF_ERROR(store().audit({"2026-01-01T10:00:00Z", "anna", "add_user", "bert"}));
    return fail(ErrorCode::kIo, "crash before the commit");
  });

  ASSERT_FALSE(result.has_value());
  EXPECT_TRUE(store().audit_log(10).value().empty());
  EXPECT_TRUE(store().users().value().empty());
}

JobRecord job_of(const std::string& kind, const std::string& started) {
  JobRecord j;
  j.kind = kind;
  j.title = "Job " + kind;
  j.owner = "anna";
  j.started = started;
  j.link = "/staff/" + kind;
  j.link_text = "Result";
  return j;
}

TEST_P(StoreContract, JobsRecordHowTheyEndedNewestFirst) {
  const std::int64_t intake = store().add_job(job_of("intake", "2026-01-01T10:00:00Z")).value();
  const std::int64_t estimate = store().add_job(job_of("estimate", "2026-01-01T10:05:00Z")).value();
  ASSERT_TRUE(store().finish_job(intake, "done", "3 rows\n", "loaded\n", "2026-01-01T10:01:00Z"));

  const JobRecord read = store().job(intake).value();
  const auto listed = store().jobs(10).value();

  EXPECT_EQ(read.id, intake);
  EXPECT_EQ(read.kind, "intake");
  EXPECT_EQ(read.title, "Job intake");
  EXPECT_EQ(read.owner, "anna");
  EXPECT_EQ(read.started, "2026-01-01T10:00:00Z");
  EXPECT_EQ(read.finished, "2026-01-01T10:01:00Z");
  EXPECT_EQ(read.status, "done");
  EXPECT_EQ(read.output, "3 rows\n");
  EXPECT_EQ(read.messages, "loaded\n");
  EXPECT_EQ(read.link, "/staff/intake");
  EXPECT_EQ(read.link_text, "Result");
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].id, estimate);
  EXPECT_EQ(listed[0].status, "running");
  EXPECT_EQ(listed[0].finished, "");
  EXPECT_EQ(store().jobs(1).value().size(), 1u);
  EXPECT_EQ(store().job(estimate + 100).error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().finish_job(estimate + 100, "done", "", "", "x").error().code, ErrorCode::kNotFound);
}

TEST_P(StoreContract, InterruptingMarksOnlyRunningJobs) {
  const std::int64_t done = store().add_job(job_of("intake", "2026-01-01T10:00:00Z")).value();
  const std::int64_t running = store().add_job(job_of("estimate", "2026-01-01T10:05:00Z")).value();
  const std::int64_t also_running = store().add_job(job_of("publish", "2026-01-01T10:06:00Z")).value();
  ASSERT_TRUE(store().finish_job(done, "failed", "", "bad file\n", "2026-01-01T10:01:00Z"));

  const auto interrupted = store().interrupt_running_jobs("2026-01-01T11:00:00Z");

  ASSERT_TRUE(interrupted.has_value());
  EXPECT_EQ(*interrupted, 2);
  EXPECT_EQ(store().job(done).value().status, "failed");
  EXPECT_EQ(store().job(done).value().finished, "2026-01-01T10:01:00Z");
  EXPECT_EQ(store().job(running).value().status, "interrupted");
  EXPECT_EQ(store().job(running).value().finished, "2026-01-01T11:00:00Z");
  EXPECT_EQ(store().job(also_running).value().status, "interrupted");
  EXPECT_EQ(store().interrupt_running_jobs("2026-01-01T12:00:00Z").value(), 0);
}

JobRecord job_on(const std::string& node, const std::string& started) {
  JobRecord j = job_of("estimate", started);
  j.node = node;
  return j;
}

TEST_P(StoreContract, JobsRecordTheirNodeAndItsHeartbeat) {
  const std::int64_t id = store().add_job(job_on("node-a:8080", "2026-01-01T10:00:00Z")).value();
  const std::int64_t other = store().add_job(job_on("node-b:8080", "2026-01-01T10:00:00Z")).value();
  ASSERT_TRUE(store().finish_job(other, "done", "", "", "2026-01-01T10:00:30Z"));

  const auto beaten = store().beat_jobs("node-a:8080", "2026-01-01T10:01:00Z");
  const auto finished_not_beaten = store().beat_jobs("node-b:8080", "2026-01-01T10:01:00Z");

  ASSERT_TRUE(beaten.has_value()) << beaten.error().message;
  EXPECT_EQ(*beaten, 1);
  EXPECT_EQ(finished_not_beaten.value(), 0);
  EXPECT_EQ(store().job(id).value().node, "node-a:8080");
  EXPECT_EQ(store().job(id).value().heartbeat, "2026-01-01T10:01:00Z");
  EXPECT_EQ(store().job(other).value().heartbeat, "2026-01-01T10:00:00Z");
}

// Node a restarts at 10:10 with a 90-second staleness: its own leftover and the job of node c
// (last beat 10:05, over 90 s ago) are interrupted; node b (beat 10:09:00, 60 s ago) keeps its
// job, and so does an exact 90 s (10:08:30, not more than 90 s ago).
TEST_P(StoreContract, StartingNodeInterruptsItsLeftoversAndDeadNodesJobsOnly) {
  const std::int64_t own = store().add_job(job_on("a", "2026-01-01T10:00:00Z")).value();
  const std::int64_t live = store().add_job(job_on("b", "2026-01-01T10:00:00Z")).value();
  const std::int64_t dead = store().add_job(job_on("c", "2026-01-01T10:00:00Z")).value();
  const std::int64_t edge = store().add_job(job_on("d", "2026-01-01T10:00:00Z")).value();
  ASSERT_TRUE(store().beat_jobs("b", "2026-01-01T10:09:00Z"));
  ASSERT_TRUE(store().beat_jobs("c", "2026-01-01T10:05:00Z"));
  ASSERT_TRUE(store().beat_jobs("d", "2026-01-01T10:08:30Z"));

  const auto interrupted = store().interrupt_abandoned_jobs("a", "2026-01-01T10:10:00Z", std::chrono::seconds(90));

  ASSERT_TRUE(interrupted.has_value()) << interrupted.error().message;
  EXPECT_EQ(*interrupted, 2);
  EXPECT_EQ(store().job(own).value().status, "interrupted");
  EXPECT_EQ(store().job(own).value().finished, "2026-01-01T10:10:00Z");
  EXPECT_EQ(store().job(dead).value().status, "interrupted");
  EXPECT_EQ(store().job(live).value().status, "running");
  EXPECT_EQ(store().job(edge).value().status, "running");
}

// One store shared by threads (as the server's handlers share it): each call and each
// transaction is whole. Run under ThreadSanitizer by scripts/test.
TEST_P(StoreContract, ThreadsSharingOneStoreKeepEveryTransactionWhole) {
  constexpr int kThreads = 4;
  constexpr int kJobsPerThread = 25;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kJobsPerThread; ++i) {
        const auto added = store().transact([&]() -> Result<void> {
          ASSIGN_OR_RETURN(const std::int64_t id, store().add_job(job_of("intake", "2026-01-01T10:00:00Z")));
          RETURN_IF_ERROR(store().audit({"2026-01-01T10:00:00Z", "anna", "job", std::to_string(id)}));
          // Every third transaction fails after writing: none of it may remain.
          if ((t + i) % 3 == 0) return fail(ErrorCode::kIo, "dropped");
          return store().finish_job(id, "done", std::to_string(t), "", "2026-01-01T10:01:00Z");
        });
        (void)added;
      }
    });
  }
  for (auto& thread : threads) thread.join();

  // Per thread t, i in 0..24 with (t + i) % 3 == 0 fails: 9, 8, 8, 9 of 25.
  const int kept = (25 - 9) + (25 - 8) + (25 - 8) + (25 - 9);
  const auto jobs = store().jobs(1000).value();
  ASSERT_EQ(static_cast<int>(jobs.size()), kept);
  for (const auto& job : jobs) EXPECT_EQ(job.status, "done");
  EXPECT_EQ(static_cast<int>(store().audit_log(1000).value().size()), kept);
}

}  // namespace
}  // namespace rapporteur::store::testing
