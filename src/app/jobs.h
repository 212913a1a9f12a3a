// Background jobs of the staff workspace, kept in the store (so the list and each outcome
// outlive the process): a job is queued with its kind and parameters, and a worker of any node
// on the database claims it and runs the work its kind's handler builds from the parameters;
// while it runs, its output is readable live on that node, its progress on every node.
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

// Builds the work of a job of one kind from the job as stored (its parameters, its upload, its
// owner), on whichever node claims it. Fails with kInvalidArgument when the parameters cannot
// be read; the job then ends failed with that message.
using JobHandler = std::function<Result<JobWork>(const store::JobRecord& job)>;

// Several web nodes on one database (docs/deployment.md): each names itself, so that its jobs
// carry its name and a heartbeat, and a node starting leaves a live peer's jobs alone.
struct JobNode {
  std::string name;  // "" for a single server: every running job at start is a leftover.
  std::chrono::seconds heartbeat{30};
  // A job whose node has not beaten for this long is taken as abandoned (its node died).
  std::chrono::seconds stale_after{120};
  // Threads claiming queued jobs once start_workers is called; 0: this node runs no queued
  // job (the other nodes do).
  int workers = 2;
  // How often idle workers look for queued jobs, and how often this node writes its running
  // jobs' progress to the store and reads their cancel requests from it.
  std::chrono::milliseconds poll{500};
  // The uploads folder (on the files folder the nodes share). An upload in it is kept by its
  // bare name and found in each node's own uploads folder, so the nodes may mount the shared
  // folder at different paths; a handler gets the path on its node. Empty: uploads are kept by
  // their full path.
  std::filesystem::path uploads_folder;
};

// Thread safety: all methods may be called from any thread. The destructor stops claiming
// and waits for the jobs running here.
class JobRunner {
 public:
  // `store` must outlive the runner; `now` gives the UTC time as ISO 8601. A thread beats for
  // the node's running jobs every `node.heartbeat` (with a node name), and every `node.poll`
  // writes their progress and reads their cancel requests, until destruction.
  JobRunner(store::Store& store, std::function<std::string()> now, JobNode node = {});
  ~JobRunner();
  JobRunner(const JobRunner&) = delete;
  JobRunner& operator=(const JobRunner&) = delete;

  // Registers how jobs of `kind` are run; a later handler for the same kind replaces it.
  // Register every kind before start_workers.
  void handle(std::string kind, JobHandler handler);
  // Starts `node.workers` threads that claim queued jobs (the oldest first, from any node) and
  // run them; a job whose kind has no handler here ends failed. Calling it again does nothing.
  void start_workers();
  // Stops this node's workers from claiming more queued jobs (for a node shutting down: the
  // other nodes run the queue); the jobs running here go on to their end.
  void stop_claiming();
  // Stores the job as queued with its parameters (JSON, for its kind's handler) and wakes a
  // worker here; returns its id. Any node's worker may run it. Fails with the store's error;
  // the upload is then removed.
  Result<std::int64_t> submit(JobSpec spec, std::string parameters);
  // Records the job as running on this node and runs `work` at once on a thread of its own
  // (work no parameters describe, e.g. in tests); returns its id. Fails with the store's error.
  Result<std::int64_t> start(JobSpec spec, JobWork work);
  // A job as it stands: live while it runs here (with its output so far), else as stored
  // (with its progress while it runs on another node). kNotFound when unknown.
  Result<store::JobRecord> job(std::int64_t id);
  // Asks a job to stop: a queued one ends "cancelled" at once (its upload removed); a running
  // one, here or on another node, sees it at its next check and ends "cancelled". Fails with
  // kNotFound when job `id` is neither queued nor running.
  Result<void> cancel(std::int64_t id);
  // The newest jobs, live ones with their output so far.
  Result<std::vector<store::JobRecord>> recent(int limit);
  // Marks jobs a previous process left running as interrupted; returns how many. With a node
  // name: only this node's leftovers and the jobs of nodes that stopped beating. Queued jobs
  // stay queued. Removes the uploads ended jobs left behind (a dead node's).
  Result<int> interrupt_leftovers();

 private:
  struct Live;
  // Runs a job recorded as running here to its end and stores how it ended; removes its
  // upload. On the calling thread.
  void run(const std::shared_ptr<Live>& job, const JobWork& work);
  // A worker: claims and runs queued jobs until stopping.
  void work_queue();
  // The ticker: heartbeats, progress and cancel requests.
  void tick();

  store::Store& store_;
  std::function<std::string()> now_;
  JobNode node_;
  std::mutex mutex_;
  std::map<std::int64_t, std::shared_ptr<Live>> live_;  // Running here, not yet stored as ended.
  std::map<std::string, JobHandler> handlers_;          // Guarded by mutex_.
  // Threads of start() with a flag each sets as its last act: start() joins the finished ones,
  // so a long-running server does not keep a thread per job it ever ran.
  struct Worker {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Worker> started_;  // Guarded by mutex_.
  // Workers claiming queued jobs, and the ticker; what wakes and stops them.
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool claiming_ = true;          // Guarded by wake_mutex_; false once the runner stops.
  bool ticking_ = true;           // Guarded by wake_mutex_; false after the last job here ended.
  bool workers_started_ = false;  // Guarded by wake_mutex_.
  std::vector<std::thread> workers_;
  std::thread ticker_;
};

}  // namespace rapporteur::app
