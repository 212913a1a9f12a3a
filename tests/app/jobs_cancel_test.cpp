// Background jobs: a running bootstrap reports its progress and stops promptly when its job is
// cancelled, leaving a job marked cancelled with nothing of its result.
#include "app/jobs.h"

#include <chrono>
#include <future>

#include <gtest/gtest.h>

#include "mse/mse.h"
#include "store/store.h"
#include "test_support.h"

namespace rapporteur::app {
namespace {

using rapporteur::testing::TempDir;

// A small three-list table (any estimable one serves).
mse::CaptureTable korea() { return {{"b", "c", "d"}, {0, 5, 5, 54, 41, 2, 5, 11}}; }

TEST(JobRunner, ACancelledBootstrapStopsPromptlyAndItsJobEndsCancelled) {
  TempDir dir;
  auto store = std::move(*store::open_sqlite_store(dir / "r.db"));
  std::promise<void> started;
  std::promise<std::pair<Result<mse::BootstrapResult>, std::chrono::steady_clock::time_point>> ended;
  std::int64_t id = 0;
  constexpr int kReplicates = 100000;  // Minutes of work: it ends early only when cancelled.
  {
    JobRunner runner(*store, [] { return std::string("2026-12-06T23:00:00Z"); });
    const auto table = korea();
    const auto chosen = mse::fit(table, {}).value();
    id = runner
             .start({.kind = "estimate", .title = "bootstrap", .owner = "rob"},
                    [&](std::ostream& out, std::ostream&, JobControl& control) -> Result<void> {
                      bool first = true;
                      mse::BootstrapOptions options{
                          .replicates = kReplicates, .seed = 3, .threads = 2, .cancellation = &control.cancellation()};
                      options.progress = [&](double fraction) {
                        control.set_progress(fraction);
                        if (first) started.set_value();
                        first = false;
                      };
                      const mse::Selection select = [](const mse::CaptureTable& t) {
                        return mse::exhaustive_search(t, mse::Criterion::kBic, 1).map([](const auto& s) {
                          return s.models.front();
                        });
                      };
                      auto result = mse::bootstrap(table, select, chosen, options);
                      const bool failed = !result.has_value();
                      const Error error = failed ? result.error() : Error{};
                      ended.set_value({std::move(result), std::chrono::steady_clock::now()});
                      if (failed) return tl::unexpected(error);
                      out << "finished\n";
                      return ok();
                    })
             .value();
    started.get_future().wait();
    const auto running = runner.job(id).value();
    ASSERT_EQ(running.status, "running");
    EXPECT_GT(running.progress, 0.0);
    EXPECT_LT(running.progress, 1.0);

    const auto asked = std::chrono::steady_clock::now();
    ASSERT_TRUE(runner.cancel(id).has_value());
    auto [result, at] = ended.get_future().get();

    EXPECT_LT(at - asked, std::chrono::seconds(2));
    ASSERT_FALSE(result.has_value());
    EXPECT_EQ(result.error().code, ErrorCode::kCancelled);
  }  // The runner waits for the job and records it.

  const auto job = store->job(id).value();
  EXPECT_EQ(job.status, "cancelled");
  EXPECT_EQ(job.output, "");
  EXPECT_NE(job.messages.find("cancelled"), std::string::npos) << job.messages;
}

TEST(JobRunner, CancellingAJobThatIsNotRunningIsNotFound) {
  TempDir dir;
  auto store = std::move(*store::open_sqlite_store(dir / "r.db"));
  JobRunner runner(*store, [] { return std::string("2026-12-06T23:00:00Z"); });

  const auto cancelled = runner.cancel(42);

  ASSERT_FALSE(cancelled.has_value());
  EXPECT_EQ(cancelled.error().code, ErrorCode::kNotFound);
}

}  // namespace
}  // namespace rapporteur::app
