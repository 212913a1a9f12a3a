// The store contract, the nodes' shared state: the job queue (claims, cancels, progress) and the
// failed sign-ins per address. Every backend must pass these; expected values are written out
// by hand.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "store/store_backends.h"

namespace rapporteur::store::testing {
namespace {

JobRecord queued(const std::string& kind, const std::string& parameters) {
  JobRecord j;
  j.kind = kind;
  j.title = "Job " + kind;
  j.owner = "anna";
  j.started = "2026-01-01T10:00:00Z";
  j.status = "queued";
  j.parameters = parameters;
  return j;
}

TEST_P(StoreContract, QueuedJobsAreClaimedOldestFirstOnceEach) {
  JobRecord with_upload = queued("intake", R"({"profile":"politie","year":2024})");
  with_upload.upload = "/srv/rapporteur/uploads/abc.csv";
  const std::int64_t first = store().add_job(with_upload).value();
  const std::int64_t second = store().add_job(queued("estimate", "{}")).value();

  const auto waiting = store().job(first).value();
  const auto claimed = store().claim_job("node-b", "2026-01-01T10:00:05Z");
  const auto next = store().claim_job("node-a", "2026-01-01T10:00:06Z");
  const auto none = store().claim_job("node-a", "2026-01-01T10:00:07Z");

  EXPECT_EQ(waiting.status, "queued");
  EXPECT_EQ(waiting.node, "");
  ASSERT_TRUE(claimed.has_value()) << claimed.error().message;
  ASSERT_TRUE(claimed->has_value());
  EXPECT_EQ((*claimed)->id, first);
  EXPECT_EQ((*claimed)->status, "running");
  EXPECT_EQ((*claimed)->node, "node-b");
  EXPECT_EQ((*claimed)->heartbeat, "2026-01-01T10:00:05Z");
  EXPECT_EQ((*claimed)->kind, "intake");
  EXPECT_EQ((*claimed)->parameters, R"({"profile":"politie","year":2024})");
  EXPECT_EQ((*claimed)->upload, "/srv/rapporteur/uploads/abc.csv");
  EXPECT_FALSE((*claimed)->cancel_requested);
  EXPECT_EQ((*claimed)->progress, -1.0);
  ASSERT_TRUE(next.value().has_value());
  EXPECT_EQ((*next)->id, second);
  EXPECT_EQ((*next)->node, "node-a");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
  EXPECT_EQ(store().job(first).value().status, "running");
}

TEST_P(StoreContract, CancellingEndsAQueuedJobAndFlagsARunningOne) {
  const std::int64_t running = store().add_job(queued("estimate", "{}")).value();
  ASSERT_EQ(store().claim_job("node-a", "2026-01-01T10:00:01Z").value()->id, running);
  JobRecord waiting = queued("intake", "{}");
  waiting.upload = "/srv/rapporteur/uploads/def.csv";
  const std::int64_t still_queued = store().add_job(waiting).value();
  JobRecord finished = queued("report", "{}");
  finished.status = "running";
  finished.node = "node-b";
  const std::int64_t done = store().add_job(finished).value();
  ASSERT_TRUE(store().finish_job(done, "done", "", "", "2026-01-01T10:00:03Z"));

  const auto cancelled_queued = store().cancel_job(still_queued, "2026-01-01T10:01:00Z");
  const auto flagged = store().cancel_job(running, "2026-01-01T10:01:00Z");
  const auto ended = store().cancel_job(done, "2026-01-01T10:01:00Z");
  const auto unknown = store().cancel_job(9999, "2026-01-01T10:01:00Z");

  ASSERT_TRUE(cancelled_queued.has_value()) << cancelled_queued.error().message;
  EXPECT_EQ(cancelled_queued->status, "cancelled");
  EXPECT_EQ(cancelled_queued->finished, "2026-01-01T10:01:00Z");
  EXPECT_EQ(cancelled_queued->upload, "/srv/rapporteur/uploads/def.csv");
  ASSERT_TRUE(flagged.has_value());
  EXPECT_EQ(flagged->status, "running");
  EXPECT_TRUE(flagged->cancel_requested);
  EXPECT_EQ(flagged->finished, "");
  EXPECT_EQ(ended.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(unknown.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(store().cancel_requested_jobs("node-a").value(), std::vector<std::int64_t>{running});
  EXPECT_TRUE(store().cancel_requested_jobs("node-b").value().empty());
  EXPECT_FALSE(store().claim_job("node-b", "2026-01-01T10:02:00Z").value().has_value());
}

TEST_P(StoreContract, ARunningJobsProgressIsKept) {
  const std::int64_t id = store().add_job(queued("estimate", "{}")).value();
  ASSERT_TRUE(store().claim_job("node-a", "2026-01-01T10:00:01Z").value().has_value());

  ASSERT_TRUE(store().set_job_progress(id, 0.25));
  const double quarter = store().job(id).value().progress;
  ASSERT_TRUE(store().set_job_progress(id, 1.5));
  const double clamped = store().job(id).value().progress;
  ASSERT_TRUE(store().set_job_progress(4242, 0.5));

  EXPECT_EQ(quarter, 0.25);
  EXPECT_EQ(clamped, 1.0);
}

TEST_P(StoreContract, ARunningJobsOutputSoFarIsKeptAndAnEndedJobsIsNotOverwritten) {
  const std::int64_t id = store().add_job(queued("estimate", "{}")).value();
  ASSERT_TRUE(store().claim_job("node-a", "2026-01-01T10:00:01Z").value().has_value());

  ASSERT_TRUE(store().set_job_output(id, "stap 1 van 3\n", "bezig\n"));
  const JobRecord running = store().job(id).value();
  ASSERT_TRUE(store().finish_job(id, "done", "stap 1 van 3\nklaar\n", "", "2026-01-01T10:00:05Z"));
  ASSERT_TRUE(store().set_job_output(id, "late", "late"));  // A tick that comes after the end.
  ASSERT_TRUE(store().set_job_output(4242, "x", "y"));

  EXPECT_EQ(running.output, "stap 1 van 3\n");
  EXPECT_EQ(running.messages, "bezig\n");
  EXPECT_EQ(store().job(id).value().output, "stap 1 van 3\nklaar\n");
  EXPECT_EQ(store().job(id).value().messages, "");
}

TEST_P(StoreContract, EndedJobsUploadsAreTakenOnce) {
  JobRecord left = queued("intake", "{}");
  left.upload = "/srv/rapporteur/uploads/left.csv";
  const std::int64_t interrupted = store().add_job(left).value();
  ASSERT_TRUE(store().claim_job("node-a", "2026-01-01T10:00:01Z").value().has_value());
  left.upload = "/srv/rapporteur/uploads/waiting.csv";
  ASSERT_TRUE(store().add_job(left));  // Still queued: its upload is still needed.
  ASSERT_EQ(store().interrupt_running_jobs("2026-01-01T11:00:00Z").value(), 1);

  const auto taken = store().take_ended_job_uploads();
  const auto again = store().take_ended_job_uploads();

  ASSERT_TRUE(taken.has_value()) << taken.error().message;
  EXPECT_EQ(*taken, std::vector<std::string>{"/srv/rapporteur/uploads/left.csv"});
  EXPECT_TRUE(again.value().empty());
  EXPECT_EQ(store().job(interrupted).value().upload, "");
}

// Several connections (as several nodes have) claim from one queue at once: every job is
// claimed exactly once. Run under ThreadSanitizer by scripts/test.
TEST_P(StoreContract, ConcurrentClaimsTakeEachJobExactlyOnce) {
  constexpr int kJobs = 60;
  constexpr int kClaimers = 4;
  for (int i = 0; i < kJobs; ++i) ASSERT_TRUE(store().add_job(queued("estimate", std::to_string(i))));
  std::vector<std::unique_ptr<Store>> connections;
  for (int c = 0; c < kClaimers; ++c) {
    auto opened = backend().reopen();
    ASSERT_TRUE(opened.has_value()) << opened.error().message;
    connections.push_back(std::move(*opened));
  }
  std::mutex mutex;
  std::map<std::int64_t, int> claims;  // Job id -> times claimed.
  std::atomic<int> errors{0};

  std::vector<std::thread> threads;
  for (int c = 0; c < kClaimers; ++c) {
    threads.emplace_back([&, c] {
      const std::string node = "node-" + std::to_string(c);
      for (;;) {
        auto claimed = connections[c]->claim_job(node, "2026-01-01T10:00:00Z");
        if (!claimed) {
          ++errors;
          return;
        }
        if (!claimed->has_value()) return;
        const std::lock_guard lock(mutex);
        ++claims[(*claimed)->id];
      }
    });
  }
  for (auto& thread : threads) thread.join();

  EXPECT_EQ(errors.load(), 0);
  ASSERT_EQ(static_cast<int>(claims.size()), kJobs);
  for (const auto& [id, times] : claims) EXPECT_EQ(times, 1) << "job " << id;
  const auto jobs = store().jobs(1000).value();
  EXPECT_TRUE(std::all_of(jobs.begin(), jobs.end(), [](const JobRecord& j) { return j.status == "running"; }));
}

TEST_P(StoreContract, AddressFailuresAreListedPerAddressAndForgottenAfterTheirWindow) {
  using std::chrono::seconds;
  const std::chrono::system_clock::time_point t0{std::chrono::hours(24 * 20000)};
  ASSERT_TRUE(store().add_address_failure("10.0.0.1", t0, t0 - seconds(600)));
  ASSERT_TRUE(store().add_address_failure("10.0.0.2", t0 + seconds(1), t0 - seconds(600)));
  ASSERT_TRUE(store().add_address_failure("10.0.0.1", t0 + std::chrono::milliseconds(1500), t0 - seconds(600)));

  const auto both = store().address_failures("10.0.0.1", t0 - seconds(1));
  const auto after_first = store().address_failures("10.0.0.1", t0);
  // A failure 700 s later forgets everything at or before t0 + 100 s.
  ASSERT_TRUE(store().add_address_failure("10.0.0.3", t0 + seconds(700), t0 + seconds(100)));
  const auto forgotten = store().address_failures("10.0.0.1", t0 - seconds(1));
  const auto kept = store().address_failures("10.0.0.3", t0);

  ASSERT_TRUE(both.has_value()) << both.error().message;
  EXPECT_EQ(*both, (std::vector<std::chrono::system_clock::time_point>{t0, t0 + std::chrono::milliseconds(1500)}));
  EXPECT_EQ(after_first.value(),
            std::vector<std::chrono::system_clock::time_point>{t0 + std::chrono::milliseconds(1500)});
  EXPECT_TRUE(forgotten.value().empty());
  EXPECT_EQ(kept.value(), std::vector<std::chrono::system_clock::time_point>{t0 + seconds(700)});
}

}  // namespace
}  // namespace rapporteur::store::testing
