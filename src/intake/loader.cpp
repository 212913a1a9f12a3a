// Loading one extract as a batch: reading and converting on a worker thread while this one
// writes, all in one transaction.
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <fstream>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <openssl/evp.h>
#include <pthread.h>

#include "intake/intake.h"
#include "intake/internal/converter.h"
#include "intake/internal/tables.h"

namespace rapporteur::intake {
namespace {

constexpr std::size_t kChunk = 20'000;

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// CPU time of the calling thread.
double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

// Hex SHA-256 of the file's bytes: the batch's provenance and the "same file again" check.
Result<std::string> sha256_of_file(const std::filesystem::path& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return fail(ErrorCode::kIo, fmt::format("{}: cannot open file", path.string()));
  }
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  std::array<char, 1 << 16> buffer{};
  while (file) {
    file.read(buffer.data(), buffer.size());
    EVP_DigestUpdate(ctx, buffer.data(), static_cast<std::size_t>(file.gcount()));
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx, digest, &length);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

// A chunk of converted rows, handed from the reading thread to the writing one.
struct Chunk {
  std::vector<Registration> good;
  std::vector<store::RowError> bad;
  std::int64_t rows_read = 0;
  std::int64_t rows_rejected = 0;
  std::int64_t rows_weakly_linkable = 0;
  double progress = 0;
  bool last = false;             // The reader is done; nothing follows.
  std::optional<Error> failure;  // The reader stopped on an unexpected error.
};

// A bounded hand-over of chunks: the reader runs at most two chunks ahead of the writer.
class ChunkQueue {
 public:
  // False when the writer has closed the queue (it stopped on an error).
  bool push(Chunk chunk) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return closed_ || chunks_.size() < 2; });
    if (closed_) return false;
    chunks_.push_back(std::move(chunk));
    changed_.notify_all();
    return true;
  }
  Chunk pop() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return !chunks_.empty(); });
    Chunk chunk = std::move(chunks_.front());
    chunks_.pop_front();
    changed_.notify_all();
    return chunk;
  }
  void close() {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    changed_.notify_all();
  }
  // The writer hands written chunks back, so that the reader, which allocated their rows,
  // also frees them: glibc frees another thread's memory under that arena's lock, slowly.
  void give_back(Chunk chunk) {
    const std::lock_guard lock(mutex_);
    spent_.push_back(std::move(chunk));
  }
  // A written chunk, emptied but with its capacity, or a fresh one.
  Chunk take_back() {
    Chunk chunk;
    {
      const std::lock_guard lock(mutex_);
      if (!spent_.empty()) {
        chunk = std::move(spent_.front());
        spent_.pop_front();
      }
    }
    chunk.good.clear();
    chunk.bad.clear();
    chunk.rows_read = 0;
    chunk.rows_rejected = 0;
    chunk.rows_weakly_linkable = 0;
    return chunk;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> chunks_;
  std::deque<Chunk> spent_;
  bool closed_ = false;
};

}  // namespace

Result<LoadReport> load_extract(store::RegistrationStore& store, const PseudonymKey& key, const SourceProfile& profile,
                                const LoadOptions& options) {
  if (options.year < 1990 || options.year > 2100) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("year {} is outside 1990..2100", options.year));
  }
  const auto started = Clock::now();
  ASSIGN_OR_RETURN(const std::string sha256, sha256_of_file(options.file));
  if (auto stored_key = store.get_meta("pseudonym_key_id"); stored_key && *stored_key != key.id()) {
    return fail(ErrorCode::kConflict,
                fmt::format("this instance's pseudonyms were made with key {}, not with the given key "
                            "{}; mixing keys would split every person in two (see docs/key-handling.md)",
                            *stored_key, key.id()));
  }
  ASSIGN_OR_RETURN(const auto existing, store.active_batch(profile.source.code, profile.name, options.year));
  LoadReport report;
  if (existing && existing->file_sha256 == sha256) {
    report.batch_id = existing->id;
    report.already_loaded = true;
    report.reader = existing->reader;
    report.rows_read = existing->rows_read;
    report.rows_loaded = existing->rows_loaded;
    report.rows_rejected = existing->rows_rejected;
    return report;
  }
  if (existing && options.replace == ReplaceMode::kRefuse) {
    return fail(ErrorCode::kConflict,
                fmt::format("batch {} already holds {} {} ({}) from '{}'; pass --replace to replace it", existing->id,
                            profile.source.code, options.year, profile.name, existing->file_name));
  }

  std::unique_ptr<internal::RowReader> reader;
  if (profile.format == FileFormat::kXlsx) {
    ASSIGN_OR_RETURN(reader, internal::open_xlsx(options.file, profile.sheet));
  } else {
    ASSIGN_OR_RETURN(reader, internal::open_csv(options.file, {profile.delimiter, profile.encoding}));
  }
  report.reader = reader->describe();
  auto loader = std::make_unique<internal::RowConverter>(store, key, profile, options);
  RETURN_IF_ERROR(loader->prepare(*reader));
  report.timings.before_rows = seconds_since(started);
  Clock::time_point rows_done;

  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store.set_meta("pseudonym_key_id", key.id()));
    RETURN_IF_ERROR(store.put_source(profile.source));
    store::Batch batch;
    batch.source_code = profile.source.code;
    batch.profile = profile.name;
    batch.year = options.year;
    batch.file_name = options.file.filename().string();
    batch.file_sha256 = sha256;
    batch.key_id = key.id();
    batch.reader = report.reader;
    ASSIGN_OR_RETURN(report.batch_id, store.create_batch(batch));
    // Reading and converting (parsing, validation, keyed hashing) run on a worker thread
    // while this thread writes the previous chunk: SQLite stays on the thread that holds the
    // transaction.
    ChunkQueue queue;
    std::jthread producer([&] {
      pthread_setname_np(pthread_self(), "intake-read");  // Tells the threads apart in perf and top.
      internal::Row row;
      Chunk chunk = queue.take_back();
      chunk.good.reserve(kChunk);
      try {
        for (;;) {
          auto more = reader->next(row);
          if (!more) {
            // A malformed tail (e.g. an unterminated quote) rejects that row; the rest stays.
            chunk.bad.push_back({0, row.number, "", more.error().message, ""});
            ++chunk.rows_read;
            ++chunk.rows_rejected;
            break;
          }
          if (!*more) break;
          ++chunk.rows_read;
          const std::size_t errors_before = chunk.bad.size();
          if (auto registration = loader->convert(row, chunk.bad)) {
            chunk.good.push_back(std::move(*registration));
            chunk.rows_weakly_linkable += loader->converted_weak() ? 1 : 0;
          } else {
            chunk.rows_rejected += chunk.bad.size() > errors_before ? 1 : 0;
          }
          if (chunk.good.size() >= kChunk) {
            chunk.progress = reader->progress();
            if (!queue.push(std::move(chunk))) return;  // The writer gave up.
            chunk = queue.take_back();
            chunk.good.reserve(kChunk);
          }
        }
      } catch (const std::exception& e) {
        // Never the row's text: it may hold identifiers.
        chunk.failure = Error{ErrorCode::kInternal, fmt::format("reading stopped at row {}: {}", row.number, e.what())};
      }
      chunk.last = true;
      report.timings.read_cpu = thread_cpu_seconds();  // Read by the writer after the last pop.
      queue.push(std::move(chunk));
    });
    // Stops the worker however this scope is left (an error returns early).
    struct Closer {
      ChunkQueue& queue;
      ~Closer() { queue.close(); }
    } closer{queue};
    const double cpu_at_start = thread_cpu_seconds();
    for (;;) {
      const auto waiting = Clock::now();
      auto chunk = queue.pop();
      report.timings.write_waiting += seconds_since(waiting);
      if (chunk.failure) return fail(chunk.failure->code, chunk.failure->message);
      report.rows_read += chunk.rows_read;
      report.rows_rejected += chunk.rows_rejected;
      report.rows_weakly_linkable += chunk.rows_weakly_linkable;
      if (!chunk.good.empty()) {
        ASSIGN_OR_RETURN(const std::int64_t inserted, store.add_registrations(chunk.good, report.batch_id));
        report.rows_loaded += inserted;
      }
      for (auto& e : chunk.bad) e.batch_id = report.batch_id;
      RETURN_IF_ERROR(store.add_row_errors(chunk.bad));
      if (chunk.last) break;
      if (options.progress) options.progress(chunk.progress, report.rows_read);
      queue.give_back(std::move(chunk));
    }
    report.timings.write_cpu = thread_cpu_seconds() - cpu_at_start;
    rows_done = Clock::now();
    if (existing) {
      RETURN_IF_ERROR(store.replace_batch(existing->id, report.batch_id));
      report.replaced_batch = existing->id;
    }
    RETURN_IF_ERROR(store.finish_batch(report.batch_id, report.rows_read, report.rows_loaded, report.rows_rejected));
    if (options.before_commit) return options.before_commit(report);
    return ok();
  }));
  loader.reset();
  report.timings.after_rows = seconds_since(rows_done);
  if (options.progress) options.progress(1.0, report.rows_read);
  return report;
}

}  // namespace rapporteur::intake
