#include "app/jobs.h"

#include <pthread.h>

#include <algorithm>
#include <csignal>
#include <sstream>

#include <fmt/format.h>

#include <spdlog/spdlog.h>

namespace rapporteur::app {

struct JobRunner::Live {
  store::JobRecord record;  // Fixed fields; status and texts under the mutex while running.
  mutable std::mutex mutex;
  JobControl control;
};

void JobControl::set_progress(double fraction) { progress_.store(std::clamp(fraction, 0.0, 1.0)); }

namespace {

// A stream buffer that appends to a live job's text under its lock, so a page can read it
// while the work writes.
class LiveBuffer : public std::stringbuf {
 public:
  LiveBuffer(std::mutex& mutex, std::string& text) : mutex_(mutex), text_(text) {}
  int sync() override {
    const std::lock_guard lock(mutex_);
    text_ += str();
    str("");
    return 0;
  }

 private:
  std::mutex& mutex_;
  std::string& text_;
};

// A job's progress and error lines as kept: at most the last megabyte. (Its output is its
// result, e.g. an estimate's JSON of several megabytes, and is kept whole.)
std::string kept(std::string text) {
  constexpr std::size_t kMax = 1 << 20;
  if (text.size() <= kMax) return text;
  return "...\n" + text.substr(text.size() - kMax);
}

}  // namespace

namespace {

// Starts `body` on a thread that never takes an asynchronous signal (SIGINT, SIGTERM): the
// server's signal thread waits for those, and a thread made before it blocked them (as the
// runner's are, with the server) would otherwise take one and end the process. The mask is
// set around the creation, so that the thread inherits it from its first instruction.
template <typename Body>
std::thread signal_free_thread(Body body) {
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  pthread_sigmask(SIG_BLOCK, &all, &previous);
  std::thread thread(std::move(body));
  pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  return thread;
}

// An upload as a job keeps it: its bare name when it lies in the node's uploads folder (each
// node resolves it in its own, so the shared folder may be mounted anywhere), else its path.
std::string stored_upload(const std::filesystem::path& folder, const std::filesystem::path& upload) {
  if (!folder.empty() && upload.has_filename() &&
      (folder / upload.filename()).lexically_normal() == upload.lexically_normal()) {
    return upload.filename().string();
  }
  return upload.string();
}

// The path of a job's upload on this node: a bare name is in `folder`; a path (an older job's,
// or an upload outside the folder) stays as it is.
std::filesystem::path resolved_upload(const std::filesystem::path& folder, const std::string& upload) {
  const bool bare = !upload.empty() && upload.find('/') == std::string::npos && upload != "." && upload != "..";
  return bare && !folder.empty() ? folder / upload : std::filesystem::path(upload);
}

void remove_upload(const std::filesystem::path& folder, const std::string& upload) {
  if (upload.empty()) return;
  std::error_code ignored;
  std::filesystem::remove(resolved_upload(folder, upload), ignored);
}

}  // namespace

JobRunner::JobRunner(store::Store& store, std::function<std::string()> now, JobNode node)
    : store_(store), now_(std::move(now)), node_(std::move(node)) {
  ticker_ = signal_free_thread([this] { tick(); });
}

void JobRunner::stop_claiming() {
  {
    const std::lock_guard lock(wake_mutex_);
    claiming_ = false;
  }
  wake_.notify_all();
}

JobRunner::~JobRunner() {
  // Stop claiming, let the jobs running here end (the ticker still beats for them and passes
  // on their cancel requests), then stop the ticker.
  stop_claiming();
  for (auto& worker : workers_) worker.join();
  std::vector<Worker> started;
  {
    const std::lock_guard lock(mutex_);
    started.swap(started_);
  }
  for (auto& worker : started) worker.thread.join();
  {
    const std::lock_guard lock(wake_mutex_);
    ticking_ = false;
  }
  wake_.notify_all();
  ticker_.join();
}

void JobRunner::handle(std::string kind, JobHandler handler) {
  const std::lock_guard lock(mutex_);
  handlers_[std::move(kind)] = std::move(handler);
}

void JobRunner::start_workers() {
  const std::lock_guard lock(wake_mutex_);
  if (workers_started_ || !claiming_) return;
  workers_started_ = true;
  for (int i = 0; i < node_.workers; ++i) workers_.push_back(signal_free_thread([this] { work_queue(); }));
}

Result<int> JobRunner::interrupt_leftovers() {
  std::int64_t interrupted = 0;
  if (node_.name.empty()) {
    ASSIGN_OR_RETURN(interrupted, store_.interrupt_running_jobs(now_()));
  } else {
    ASSIGN_OR_RETURN(interrupted, store_.interrupt_abandoned_jobs(node_.name, now_(), node_.stale_after));
  }
  // An interrupted job has ended too: its upload (identifying data) goes, as any ended job's.
  ASSIGN_OR_RETURN(const auto uploads, store_.take_ended_job_uploads());
  for (const auto& upload : uploads) remove_upload(node_.uploads_folder, upload);
  return static_cast<int>(interrupted);
}

Result<std::int64_t> JobRunner::submit(JobSpec spec, std::string parameters) {
  store::JobRecord record;
  record.kind = std::move(spec.kind);
  record.title = std::move(spec.title);
  record.owner = std::move(spec.owner);
  record.started = now_();
  record.link = std::move(spec.link);
  record.link_text = std::move(spec.link_text);
  record.status = "queued";
  record.parameters = std::move(parameters);
  record.upload = stored_upload(node_.uploads_folder, spec.upload);
  auto added = store_.add_job(record);
  if (!added) {
    // The job never runs, so nothing else would remove its upload (identifying data).
    remove_upload(node_.uploads_folder, record.upload);
    return tl::unexpected(added.error());
  }
  wake_.notify_one();
  return *added;
}

Result<std::int64_t> JobRunner::start(JobSpec spec, JobWork work) {
  auto job = std::make_shared<Live>();
  job->record.kind = std::move(spec.kind);
  job->record.title = std::move(spec.title);
  job->record.owner = std::move(spec.owner);
  job->record.started = now_();
  job->record.link = std::move(spec.link);
  job->record.link_text = std::move(spec.link_text);
  job->record.node = node_.name;
  job->record.upload = stored_upload(node_.uploads_folder, spec.upload);
  auto added = store_.add_job(job->record);
  if (!added) {
    remove_upload(node_.uploads_folder, job->record.upload);
    return tl::unexpected(added.error());
  }
  job->record.id = *added;
  const std::lock_guard lock(mutex_);
  std::erase_if(started_, [](Worker& w) {
    if (!w.done->load()) return false;
    w.thread.join();  // It has finished its work; this only reaps it.
    return true;
  });
  live_[job->record.id] = job;
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread = signal_free_thread([this, job, done, work = std::move(work)] {
    // Set on every way out, after the job's record is written.
    struct MarkDone {
      std::atomic<bool>& done;
      ~MarkDone() { done.store(true); }
    } mark{*done};
    run(job, work);
  });
  started_.push_back({std::move(thread), std::move(done)});
  return job->record.id;
}

void JobRunner::work_queue() {
  for (;;) {
    {
      const std::lock_guard lock(wake_mutex_);
      if (!claiming_) return;
    }
    auto claimed = store_.claim_job(node_.name, now_());
    if (!claimed) spdlog::error("jobs: claiming a queued job: {}", claimed.error().message);
    if (!claimed || !claimed->has_value()) {
      std::unique_lock lock(wake_mutex_);
      // Woken by submit() here, by stopping, or after `poll` for jobs queued by other nodes.
      wake_.wait_for(lock, node_.poll, [this] { return !claiming_; });
      if (!claiming_) return;
      continue;
    }
    auto job = std::make_shared<Live>();
    job->record = std::move(**claimed);
    JobHandler handler;
    {
      const std::lock_guard lock(mutex_);
      if (const auto found = handlers_.find(job->record.kind); found != handlers_.end()) handler = found->second;
      live_[job->record.id] = job;
    }
    store::JobRecord as_here = job->record;  // Its upload as a path on this node.
    as_here.upload = resolved_upload(node_.uploads_folder, as_here.upload).string();
    Result<JobWork> work =
        handler ? handler(as_here)
                : fail(ErrorCode::kInternal,
                       fmt::format("node '{}' has no handler for jobs of kind '{}'", node_.name, job->record.kind));
    if (!work) {
      const Error error = work.error();
      work =
          JobWork([error](std::ostream&, std::ostream&, JobControl&) -> Result<void> { return tl::unexpected(error); });
    }
    run(job, *work);
  }
}

void JobRunner::run(const std::shared_ptr<Live>& job, const JobWork& work) {
  LiveBuffer out_buffer(job->mutex, job->record.output);
  LiveBuffer err_buffer(job->mutex, job->record.messages);
  std::ostream out(&out_buffer);
  std::ostream err(&err_buffer);
  Result<void> result = ok();
  try {
    result = work(out, err, job->control);
  } catch (const std::exception& e) {
    result = fail(ErrorCode::kInternal, std::string("internal error: ") + e.what());
  } catch (...) {
    result = fail(ErrorCode::kInternal, "internal error");
  }
  if (!result) err << "rapporteur: " << result.error().message << '\n';
  out.flush();
  err.flush();
  // Read once (an extract holds identifying data): removed whatever the outcome.
  remove_upload(node_.uploads_folder, job->record.upload);
  store::JobRecord ended;
  {
    const std::lock_guard job_lock(job->mutex);
    const bool cancelled =
        !result && result.error().code == ErrorCode::kCancelled && job->control.cancellation().requested();
    job->record.status = result ? "done" : cancelled ? "cancelled" : "failed";
    job->record.messages = kept(std::move(job->record.messages));
    ended = job->record;
  }
  if (auto finished = store_.finish_job(ended.id, ended.status, ended.output, ended.messages, now_()); !finished) {
    spdlog::error("job {}: {}", ended.id, finished.error().message);
    return;  // Stays live, so its page still shows the outcome.
  }
  const std::lock_guard jobs_lock(mutex_);
  live_.erase(ended.id);
}

void JobRunner::tick() {
  auto last_beat = std::chrono::steady_clock::now();
  std::map<std::int64_t, double> written;  // Progress last written per live job.
  // The sizes of the output and messages last written per live job (they only grow).
  std::map<std::int64_t, std::pair<std::size_t, std::size_t>> printed;
  std::unique_lock lock(wake_mutex_);
  while (!wake_.wait_for(lock, node_.poll, [this] { return !ticking_; })) {
    lock.unlock();
    std::vector<std::pair<std::int64_t, std::shared_ptr<Live>>> live;
    {
      const std::lock_guard jobs_lock(mutex_);
      live.assign(live_.begin(), live_.end());
    }
    if (!live.empty()) {
      // Cancel requests made on any node, through the store.
      if (auto asked = store_.cancel_requested_jobs(node_.name); !asked) {
        spdlog::error("jobs: reading cancel requests of node '{}': {}", node_.name, asked.error().message);
      } else {
        for (const std::int64_t id : *asked) {
          for (const auto& [live_id, job] : live) {
            if (live_id == id) job->control.cancel();
          }
        }
      }
      std::map<std::int64_t, double> now_written;
      std::map<std::int64_t, std::pair<std::size_t, std::size_t>> now_printed;
      for (const auto& [id, job] : live) {
        // What it printed so far, for the pages of every node (its own reads it live).
        std::string output;
        std::string messages;
        {
          const std::lock_guard job_lock(job->mutex);
          now_printed[id] = {job->record.output.size(), job->record.messages.size()};
          const auto before = printed.find(id);
          if (before == printed.end() || before->second != now_printed[id]) {
            output = job->record.output;
            messages = kept(job->record.messages);
          } else {
            now_printed[id] = before->second;
          }
        }
        if (const auto before = printed.find(id); before == printed.end() || before->second != now_printed[id]) {
          if (auto set = store_.set_job_output(id, output, messages); !set) {
            spdlog::error("job {}: output: {}", id, set.error().message);
          }
        }
        const double progress = job->control.progress();
        const auto before = written.find(id);
        if (progress >= 0 && (before == written.end() || before->second != progress)) {
          if (auto set = store_.set_job_progress(id, progress); !set) {
            spdlog::error("job {}: progress: {}", id, set.error().message);
          }
        }
        now_written[id] = progress;
      }
      written.swap(now_written);
      printed.swap(now_printed);
    }
    const auto now = std::chrono::steady_clock::now();
    if (!node_.name.empty() && now - last_beat >= node_.heartbeat) {
      last_beat = now;
      if (auto beaten = store_.beat_jobs(node_.name, now_()); !beaten) {
        spdlog::error("jobs: heartbeat of node {}: {}", node_.name, beaten.error().message);
      }
    }
    lock.lock();
  }
}

Result<store::JobRecord> JobRunner::job(std::int64_t id) {
  {
    const std::lock_guard lock(mutex_);
    if (const auto live = live_.find(id); live != live_.end()) {
      const std::lock_guard job_lock(live->second->mutex);
      store::JobRecord record = live->second->record;
      record.progress = live->second->control.progress();
      return record;
    }
  }
  // Finished between the two looks, queued, or running on another node: the store has it.
  return store_.job(id);
}

Result<void> JobRunner::cancel(std::int64_t id) {
  ASSIGN_OR_RETURN(const store::JobRecord job, store_.cancel_job(id, now_()));
  // Cancelled while queued: it never runs, so its upload goes now.
  if (job.status == "cancelled") remove_upload(node_.uploads_folder, job.upload);
  const std::lock_guard lock(mutex_);
  if (const auto live = live_.find(id); live != live_.end()) live->second->control.cancel();
  return ok();
}

Result<std::vector<store::JobRecord>> JobRunner::recent(int limit) {
  ASSIGN_OR_RETURN(auto records, store_.jobs(limit));
  const std::lock_guard lock(mutex_);
  for (auto& r : records) {
    if (const auto live = live_.find(r.id); live != live_.end()) {
      const std::lock_guard job_lock(live->second->mutex);
      r = live->second->record;
      r.progress = live->second->control.progress();
    }
  }
  return records;
}

}  // namespace rapporteur::app
