// app::JobRunner with named nodes on one store: a starting node leaves a live peer's running
// job alone and interrupts only its own leftovers and dead nodes' jobs. The clock is injected;
// the expected statuses follow from the times written out in each test.
#include "app/jobs.h"

#include <future>
#include <string>

#include <gtest/gtest.h>

#include "store/store.h"
#include "test_support.h"

namespace rapporteur::app {
namespace {

using rapporteur::testing::TempDir;

std::function<std::string()> clock_at(const std::string& now) {
  return [now] { return now; };
}

TEST(JobRunner, AStartingNodeLeavesALivePeersJobRunning) {
  TempDir dir;
  auto store = store::open_sqlite_store(dir / "jobs.db").value();
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  JobRunner peer(*store, clock_at("2026-01-01T10:00:00Z"), {.name = "b"});
  const std::int64_t running = peer.start({.kind = "estimate", .title = "Schatting", .owner = "anna"},
                                          [released](std::ostream& out, std::ostream&, JobControl&) -> Result<void> {
                                            released.wait();
                                            out << "klaar\n";
                                            return ok();
                                          })
                                   .value();

  JobRunner starting(*store, clock_at("2026-01-01T10:01:00Z"), {.name = "a"});
  const auto interrupted = starting.interrupt_leftovers();
  const std::string status_while_running = store->job(running).value().status;
  release.set_value();

  ASSERT_TRUE(interrupted.has_value()) << interrupted.error().message;
  EXPECT_EQ(*interrupted, 0);
  EXPECT_EQ(status_while_running, "running");
  EXPECT_EQ(store->job(running).value().node, "b");
}

TEST(JobRunner, ARestartedNodeInterruptsItsOwnAndDeadNodesLeftovers) {
  TempDir dir;
  auto store = store::open_sqlite_store(dir / "jobs.db").value();
  store::JobRecord left{.kind = "intake", .title = "Inlezen", .owner = "anna", .started = "2026-01-01T09:00:00Z"};
  left.node = "a";
  const std::int64_t own = store->add_job(left).value();
  left.node = "c";
  const std::int64_t dead = store->add_job(left).value();  // Heartbeat 09:00, an hour before.
  left.node = "b";
  left.started = "2026-01-01T09:59:30Z";
  const std::int64_t live = store->add_job(left).value();  // Heartbeat 30 s before.

  JobRunner restarted(*store, clock_at("2026-01-01T10:00:00Z"),
                      {.name = "a", .stale_after = std::chrono::seconds(120)});
  const auto interrupted = restarted.interrupt_leftovers();

  ASSERT_TRUE(interrupted.has_value()) << interrupted.error().message;
  EXPECT_EQ(*interrupted, 2);
  EXPECT_EQ(store->job(own).value().status, "interrupted");
  EXPECT_EQ(store->job(dead).value().status, "interrupted");
  EXPECT_EQ(store->job(live).value().status, "running");
}

TEST(JobRunner, WithoutANodeNameEveryRunningJobIsALeftover) {
  TempDir dir;
  auto store = store::open_sqlite_store(dir / "jobs.db").value();
  store::JobRecord left{.kind = "intake", .title = "Inlezen", .owner = "anna", .started = "2026-01-01T09:59:59Z"};
  left.node = "b";
  const std::int64_t peer = store->add_job(left).value();

  JobRunner single(*store, clock_at("2026-01-01T10:00:00Z"));
  const auto interrupted = single.interrupt_leftovers();

  ASSERT_TRUE(interrupted.has_value());
  EXPECT_EQ(*interrupted, 1);
  EXPECT_EQ(store->job(peer).value().status, "interrupted");
}

}  // namespace
}  // namespace rapporteur::app
