// Background jobs of the staff workspace: a typed piece of work run on its own thread and
// kept in the store (so the list and each outcome outlive the process); while it runs, its
// output is readable live.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "core/cancel.h"
#include "core/result.h"
#include "store/store.h"

namespace rapporteur::app {

struct JobSpec {
  std::string kind;   // E.g. "intake", "estimate", "protect", "publish", "report".
  std::string title;  // As the workspace lists it.
  std::string owner;  // The staff user who started it.
  std::string link;   // A page with the result, if any.
  std::string link_text;
  // A file the job reads once (an uploaded extract): removed when the job ends, whatever its
  // outcome, since it holds identifying data.
  std::filesystem::path upload;
};

// What a job's work may see and say besides its output: whether someone asked it to stop, and
// how far it is. Thread safety: any thread may call these.
class JobControl {
 public:
  // Requested by JobRunner::cancel; long work checks it between steps.
  const Cancellation& cancellation() const { return cancellation_; }
  // The fraction done, 0 to 1 (clamped); the job's page shows it.
  void set_progress(double fraction);
  // The last fraction set; negative before any.
  double progress() const { return progress_.load(); }
  void cancel() { cancellation_.cancel(); }

 private:
  Cancellation cancellation_;
  std::atomic<double> progress_{-1};
};

// The work of a job: writes its result to `out` and progress lines to `err`; its error, if
// any, is added to the progress lines and the job is marked failed, or cancelled when the error
// is kCancelled after JobRunner::cancel.
using JobWork = std::function<Result<void>(std::ostream& out, std::ostream& err, JobControl& control)>;

// Several web nodes on one database (docs/deployment.md): each names itself, so that its jobs
// carry its name and a heartbeat, and a node starting leaves a live peer's jobs alone.
struct JobNode {
  std::string name;  // "" for a single server: every running job at start is a leftover.
  std::chrono::seconds heartbeat{30};
  // A job whose node has not beaten for this long is taken as abandoned (its node died).
  std::chrono::seconds stale_after{120};
};

// Thread safety: all methods may be called from any thread. The destructor waits for the jobs
// still running.
class JobRunner {
 public:
  // `store` must outlive the runner; `now` gives the UTC time as ISO 8601. With a node name,
  // a thread beats for the node's running jobs every `node.heartbeat` until destruction.
  JobRunner(store::Store& store, std::function<std::string()> now, JobNode node = {});
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Records the job and starts it; returns its id. Fails with the store's error.
  Result<std::int64_t> start(JobSpec spec, JobWork work);
  // A job as it stands: live while it runs (with its progress), else as stored. kNotFound when
  // unknown.
  Result<store::JobRecord> job(std::int64_t id);
  // Asks a running job to stop; its work sees it at its next check and the job ends
  // "cancelled". Fails with kNotFound when no job `id` runs here (unknown or already ended).
  Result<void> cancel(std::int64_t id);
  // The newest jobs, live ones with their output so far.
  Result<std::vector<store::JobRecord>> recent(int limit);
  // Marks jobs a previous process left running as interrupted; returns how many. With a node
  // name: only this node's leftovers and the jobs of nodes that stopped beating.
  Result<int> interrupt_leftovers();

 private:
  struct Live;
  store::Store& store_;
  std::function<std::string()> now_;
  std::mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<Live>> live_;  // Started here, not yet stored as ended.
  // Worker threads with a flag each sets as its last act: start() joins the finished ones, so
  // a long-running server does not keep a thread per job it ever ran.
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> workers_;
  JobNode node_;
  // The heartbeat thread and what stops it.
  std::mutex beat_mutex_;
  std::condition_variable beat_stop_;
  bool stopping_ = false;  // Guarded by beat_mutex_.
  std::thread beater_;
};

}  // namespace rapporteur::app
