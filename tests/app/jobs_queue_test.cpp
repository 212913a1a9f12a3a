// app::JobRunner's queue: a job is stored with its kind and parameters, and a worker of any
// runner on the store (a node) claims it and runs the work its kind's handler builds; cancel
// requests and progress pass through the store. Runners here share one SQLite file, as nodes
// share a database; waits are on promises and on the runner's destructor, which lets the jobs
// running here end.
#include <atomic>
#include <filesystem>
#include <fstream>
#include <future>
#include <map>
#include <mutex>
#include <string>

#include <gtest/gtest.h>

#include "app/jobs.h"
#include "store/store.h"
#include "test_support.h"

namespace rapporteur::app {
namespace {

using rapporteur::testing::TempDir;

std::function<std::string()> clock_at(const std::string& now) {
  return [now] { return now; };
}

// A node that polls often, so that tests do not wait for its default interval.
JobNode node_named(const std::string& name, int workers) {
  return {.name = name, .workers = workers, .poll = std::chrono::milliseconds(5)};
}

// Waits (polling the store) until job `id` has ended; returns it as stored.
store::JobRecord ended(store::Store& store, std::int64_t id) {
  store::JobRecord job = store.job(id).value();
  for (int i = 0; i < 4000 && (job.status == "queued" || job.status == "running"); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    job = store.job(id).value();
  }
  return job;
}

TEST(JobQueue, AJobQueuedOnANodeWithoutWorkersIsRunByAnotherFromItsParameters) {
  TempDir dir;
  auto store = store::open_sqlite_store(dir / "jobs.db").value();
  JobRunner queuing(*store, clock_at("2026-01-01T10:00:00Z"), node_named("a", 0));
  queuing.start_workers();
  JobRunner running(*store, clock_at("2026-01-01T10:00:01Z"), node_named("b", 2));
  running.handle("greet", [](const store::JobRecord& job) -> Result<JobWork> {
    const std::string who = job.parameters;
    return JobWork([who](std::ostream& out, std::ostream&, JobControl&) -> Result<void> {
      out << "hallo " << who << '\n';
      return ok();
    });
  });

  const std::int64_t id = queuing.submit({.kind = "greet", .title = "Groet", .owner = "anna"}, "wereld").value();
  running.start_workers();
  const auto job = ended(*store, id);

  EXPECT_EQ(job.status, "done") << job.messages;
  EXPECT_EQ(job.node, "b");
  EXPECT_EQ(job.output, "hallo wereld\n");
  EXPECT_EQ(job.owner, "anna");
  EXPECT_EQ(job.parameters, "wereld");
  EXPECT_EQ(queuing.job(id).value().status, "done");
}

TEST(JobQueue, ManyJobsQueuedOnTwoNodesEachRunOnce) {
  TempDir dir;
  auto store_a = store::open_sqlite_store(dir / "jobs.db").value();
  auto store_b = store::open_sqlite_store(dir / "jobs.db").value();  // Each node its own connection.
  std::mutex mutex;
  std::map<std::string, int> runs;  // Parameters -> times run.
  const JobHandler count = [&](const store::JobRecord& job) -> Result<JobWork> {
    const std::string key = job.parameters;
    return JobWork([&, key](std::ostream&, std::ostream&, JobControl&) -> Result<void> {
      const std::lock_guard lock(mutex);
      ++runs[key];
      return ok();
    });
  };
  constexpr int kJobs = 40;
  std::vector<std::int64_t> ids;
  {
    JobRunner a(*store_a, clock_at("2026-01-01T10:00:00Z"), node_named("a", 2));
    JobRunner b(*store_b, clock_at("2026-01-01T10:00:00Z"), node_named("b", 2));
    a.handle("count", count);
    b.handle("count", count);
    a.start_workers();
    b.start_workers();

    for (int i = 0; i < kJobs; ++i) {
      JobRunner& through = i % 2 == 0 ? a : b;
      ids.push_back(through.submit({.kind = "count", .title = "Tel", .owner = "anna"}, std::to_string(i)).value());
    }
    for (const std::int64_t id : ids) ASSERT_EQ(ended(*store_a, id).status, "done");
  }

  ASSERT_EQ(static_cast<int>(runs.size()), kJobs);
  for (const auto& [key, times] : runs) EXPECT_EQ(times, 1) << "job " << key;
}

TEST(JobQueue, AQueuedJobCancelledEndsAtOnceAndItsUploadIsRemoved) {
  TempDir dir;
  auto store = store::open_sqlite_store(dir / "jobs.db").value();
  const auto upload = dir / "extract.csv";
  std::ofstream(upload) << "naam,geboortedatum\n";
  JobRunner runner(*store, clock_at("2026-01-01T10:00:00Z"), node_named("a", 0));

  const std::int64_t id =
      runner.submit({.kind = "intake", .title = "Laden", .owner = "anna", .upload = upload}, "{}").value();
  const auto cancelled = runner.cancel(id);
  const auto again = runner.cancel(id);

  ASSERT_TRUE(cancelled.has_value()) << cancelled.error().message;
  EXPECT_EQ(store->job(id).value().status, "cancelled");
  EXPECT_EQ(store->job(id).value().finished, "2026-01-01T10:00:00Z");
  EXPECT_FALSE(std::filesystem::exists(upload));
  EXPECT_EQ(again.error().code, ErrorCode::kNotFound);
}

TEST(JobQueue, ACancelOnOneNodeStopsTheJobRunningOnAnother) {
  TempDir dir;
  auto store_a = store::open_sqlite_store(dir / "jobs.db").value();
  auto store_b = store::open_sqlite_store(dir / "jobs.db").value();
  std::promise<void> started;
  std::int64_t id = 0;
  {
    JobRunner running(*store_b, clock_at("2026-01-01T10:00:00Z"), node_named("b", 1));
    running.handle("wait", [&](const store::JobRecord&) -> Result<JobWork> {
      return JobWork([&](std::ostream&, std::ostream&, JobControl& control) -> Result<void> {
        control.set_progress(0.25);
        started.set_value();
        // Stops only when cancelled: the test would hang otherwise (ctest's timeout).
        while (!control.cancellation().requested()) std::this_thread::yield();
        return fail(ErrorCode::kCancelled, "cancelled on request");
      });
    });
    JobRunner asking(*store_a, clock_at("2026-01-01T10:00:00Z"), node_named("a", 0));
    id = asking.submit({.kind = "wait", .title = "Wachten", .owner = "anna"}, "{}").value();
    running.start_workers();
    started.get_future().wait();
    const auto progress_elsewhere = [&] {
      for (int i = 0; i < 4000; ++i) {
        if (const auto job = asking.job(id).value(); job.progress >= 0) return job.progress;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      return -1.0;
    }();

    const auto cancelled = asking.cancel(id);

    ASSERT_TRUE(cancelled.has_value()) << cancelled.error().message;
    EXPECT_EQ(progress_elsewhere, 0.25);
  }  // The running node sees the request at its next poll; its destructor waits for the job.

  const auto job = store_a->job(id).value();
  EXPECT_EQ(job.status, "cancelled");
  EXPECT_EQ(job.node, "b");
  EXPECT_NE(job.messages.find("cancelled"), std::string::npos) << job.messages;
}

// A running job's output so far is seen from another node, through the store.
TEST(JobQueue, WhatAJobRunningOnOneNodePrintedIsSeenOnAnother) {
  TempDir dir;
  auto store_a = store::open_sqlite_store(dir / "jobs.db").value();
  auto store_b = store::open_sqlite_store(dir / "jobs.db").value();
  std::promise<void> seen;
  std::shared_future<void> seen_future = seen.get_future().share();
  std::int64_t id = 0;
  {
    JobRunner running(*store_b, clock_at("2026-01-01T10:00:00Z"), node_named("b", 1));
    running.handle("print", [&](const store::JobRecord&) -> Result<JobWork> {
      return JobWork([seen_future](std::ostream& out, std::ostream& err, JobControl&) -> Result<void> {
        out << "stap 1 van 3" << std::endl;
        err << "bezig met 2023" << std::endl;
        seen_future.wait();  // Runs until the other node has seen what it printed.
        out << "klaar" << std::endl;
        return ok();
      });
    });
    JobRunner asking(*store_a, clock_at("2026-01-01T10:00:00Z"), node_named("a", 0));
    id = asking.submit({.kind = "print", .title = "Afdrukken", .owner = "anna"}, "{}").value();
    running.start_workers();
    store::JobRecord elsewhere;
    for (int i = 0; i < 4000; ++i) {
      elsewhere = asking.job(id).value();
      if (!elsewhere.output.empty() && !elsewhere.messages.empty()) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    seen.set_value();

    EXPECT_EQ(elsewhere.status, "running");
    EXPECT_EQ(elsewhere.output, "stap 1 van 3\n");
    EXPECT_EQ(elsewhere.messages, "bezig met 2023\n");
  }

  EXPECT_EQ(store_a->job(id).value().output, "stap 1 van 3\nklaar\n");
}

// Nodes may mount the shared uploads folder at different paths: a job keeps its upload by
// name, and the node running it reads it, and removes it, in its own mount.
TEST(JobQueue, AnUploadIsFoundInTheRunningNodesOwnMountOfTheSharedFolder) {
  TempDir dir;
  std::filesystem::create_directories(dir / "shared" / "uploads");
  std::filesystem::create_directory_symlink(dir / "shared", dir / "mount-b");
  const auto upload = dir / "shared" / "uploads" / "extract-1.csv";
  std::ofstream(upload) << "naam,geboortedatum\n";
  auto store_a = store::open_sqlite_store(dir / "jobs.db").value();
  auto store_b = store::open_sqlite_store(dir / "jobs.db").value();
  std::string seen_path;
  std::string seen_bytes;
  std::int64_t id = 0;
  {
    JobNode a = node_named("a", 0);
    a.uploads_folder = dir / "shared" / "uploads";
    JobNode b = node_named("b", 1);
    b.uploads_folder = dir / "mount-b" / "uploads";
    JobRunner running(*store_b, clock_at("2026-01-01T10:00:00Z"), b);
    running.handle("read", [&](const store::JobRecord& job) -> Result<JobWork> {
      seen_path = job.upload;
      std::ifstream in(job.upload);
      std::getline(in, seen_bytes);
      return JobWork([](std::ostream&, std::ostream&, JobControl&) -> Result<void> { return ok(); });
    });
    JobRunner asking(*store_a, clock_at("2026-01-01T10:00:00Z"), a);
    id = asking.submit({.kind = "read", .title = "Lezen", .owner = "anna", .upload = upload}, "{}").value();
    EXPECT_EQ(store_a->job(id).value().upload, "extract-1.csv") << "kept by name, not by node A's path";
    running.start_workers();
    EXPECT_EQ(ended(*store_a, id).status, "done");
  }

  EXPECT_EQ(seen_path, (dir / "mount-b" / "uploads" / "extract-1.csv").string());
  EXPECT_EQ(seen_bytes, "naam,geboortedatum");
  EXPECT_FALSE(std::filesystem::exists(upload)) << "removed through node B's mount";
}

TEST(JobQueue, AClaimedJobsUploadIsRemovedWhenItFailsAndAnUnknownKindFails) {
  TempDir dir;
  auto store = store::open_sqlite_store(dir / "jobs.db").value();
  const auto upload = dir / "extract.csv";
  std::ofstream(upload) << "naam,geboortedatum\n";
  std::int64_t failing = 0;
  std::int64_t unknown = 0;
  {
    JobRunner runner(*store, clock_at("2026-01-01T10:00:00Z"), node_named("a", 1));
    runner.handle("intake", [](const store::JobRecord&) -> Result<JobWork> {
      return fail(ErrorCode::kInvalidArgument, "parameter 'year' is missing");
    });
    failing = runner.submit({.kind = "intake", .title = "Laden", .owner = "anna", .upload = upload}, "{}").value();
    unknown = runner.submit({.kind = "teleport", .title = "?", .owner = "anna"}, "{}").value();
    runner.start_workers();
    ASSERT_EQ(ended(*store, unknown).status, "failed");
  }

  const auto failed = store->job(failing).value();
  EXPECT_EQ(failed.status, "failed");
  EXPECT_NE(failed.messages.find("parameter 'year' is missing"), std::string::npos) << failed.messages;
  EXPECT_FALSE(std::filesystem::exists(upload));
  EXPECT_NE(store->job(unknown).value().messages.find("no handler for jobs of kind 'teleport'"), std::string::npos);
}

// A node shutting down stops claiming: a job queued after that (through it, whose workers
// would otherwise take it at once) is left to the other node.
TEST(JobQueue, ANodeThatStoppedClaimingLeavesNewJobsToAnother) {
  TempDir dir;
  auto store = store::open_sqlite_store(dir / "jobs.db").value();
  const JobHandler nothing = [](const store::JobRecord&) -> Result<JobWork> {
    return JobWork([](std::ostream&, std::ostream&, JobControl&) -> Result<void> { return ok(); });
  };
  JobRunner stopping(*store, clock_at("2026-01-01T10:00:00Z"), node_named("a", 2));
  stopping.handle("noop", nothing);
  stopping.start_workers();
  stopping.stop_claiming();

  const std::int64_t id = stopping.submit({.kind = "noop", .title = "Niets", .owner = "anna"}, "{}").value();
  JobRunner other(*store, clock_at("2026-01-01T10:00:01Z"), node_named("b", 1));
  other.handle("noop", nothing);
  other.start_workers();
  const auto job = ended(*store, id);

  EXPECT_EQ(job.status, "done");
  EXPECT_EQ(job.node, "b");
}

// Node b died while running a job with an upload: node a, starting after b stopped beating,
// marks the job interrupted and removes the upload (identifying data), as b would have.
TEST(JobQueue, ADeadNodesInterruptedJobLosesItsUpload) {
  TempDir dir;
  auto store = store::open_sqlite_store(dir / "jobs.db").value();
  const auto upload = dir / "extract.csv";
  std::ofstream(upload) << "naam,geboortedatum\n";
  store::JobRecord left{.kind = "intake", .title = "Laden", .owner = "anna", .started = "2026-01-01T09:00:00Z"};
  left.status = "queued";
  left.upload = upload.string();
  const std::int64_t id = store->add_job(left).value();
  ASSERT_TRUE(store->claim_job("b", "2026-01-01T09:00:00Z").value().has_value());

  JobRunner starting(*store, clock_at("2026-01-01T10:00:00Z"), node_named("a", 0));
  const auto interrupted = starting.interrupt_leftovers();

  ASSERT_TRUE(interrupted.has_value()) << interrupted.error().message;
  EXPECT_EQ(*interrupted, 1);
  EXPECT_EQ(store->job(id).value().status, "interrupted");
  EXPECT_FALSE(std::filesystem::exists(upload));
}

}  // namespace
}  // namespace rapporteur::app
