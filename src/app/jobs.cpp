#include "app/jobs.h"

#include <algorithm>
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

JobRunner::JobRunner(store::Store& store, std::function<std::string()> now, JobNode node)
    : store_(store), now_(std::move(now)), node_(std::move(node)) {
  if (node_.name.empty()) return;
  beater_ = std::thread([this] {
    std::unique_lock lock(beat_mutex_);
    while (!beat_stop_.wait_for(lock, node_.heartbeat, [this] { return stopping_; })) {
      if (auto beaten = store_.beat_jobs(node_.name, now_()); !beaten) {
        spdlog::error("jobs: heartbeat of node {}: {}", node_.name, beaten.error().message);
      }
    }
  });
}

JobRunner::~JobRunner() {
  for (auto& worker : workers_) {
    if (worker.thread.joinable()) worker.thread.join();
  }
  if (beater_.joinable()) {
    {
      const std::lock_guard lock(beat_mutex_);
      stopping_ = true;
    }
    beat_stop_.notify_all();
    beater_.join();
  }
}

Result<int> JobRunner::interrupt_leftovers() {
  if (node_.name.empty()) return store_.interrupt_running_jobs(now_());
  return store_.interrupt_abandoned_jobs(node_.name, now_(), node_.stale_after);
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
  auto added = store_.add_job(job->record);
  if (!added) {
    // The job never runs, so nothing else would remove its upload (identifying data).
    std::error_code ignored;
    if (!spec.upload.empty()) std::filesystem::remove(spec.upload, ignored);
    return tl::unexpected(added.error());
  }
  job->record.id = *added;
  const std::lock_guard lock(mutex_);
  std::erase_if(workers_, [](Worker& w) {
    if (!w.done->load()) return false;
    w.thread.join();  // It has finished its work; this only reaps it.
    return true;
  });
  live_[job->record.id] = job;
  auto done = std::make_shared<std::atomic<bool>>(false);
  std::thread thread([this, job, done, work = std::move(work), upload = std::move(spec.upload)] {
    // Set on every way out, after the job's record is written.
    struct MarkDone {
      std::atomic<bool>& done;
      ~MarkDone() { done.store(true); }
    } mark{*done};
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
    if (!upload.empty()) {
      std::error_code ignored;
      std::filesystem::remove(upload, ignored);
    }
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
  });
  workers_.push_back({std::move(thread), std::move(done)});
  return job->record.id;
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
  // Finished between the two looks: the store has it now.
  return store_.job(id);
}

Result<void> JobRunner::cancel(std::int64_t id) {
  const std::lock_guard lock(mutex_);
  const auto live = live_.find(id);
  if (live == live_.end()) return fail(ErrorCode::kNotFound, fmt::format("job {} is not running", id));
  live->second->control.cancel();
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
