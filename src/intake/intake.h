// Intake: loads a source's extract (CSV or XLSX) through its profile into the store, one batch
// per file, pseudonymising identifiers on the way in. Bad rows are quarantined with their
// reasons; good rows of the same file are loaded.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include "core/result.h"
#include "intake/profile.h"
#include "intake/pseudonym.h"
#include "store/registration_store.h"

namespace rapporteur::intake {

enum class ReplaceMode { kRefuse, kReplace };
enum class Encodings { kWithBloomFilters, kWithoutBloomFilters };

struct LoadReport;

struct LoadOptions {
  std::filesystem::path file;
  int year = 0;
  ReplaceMode replace = ReplaceMode::kRefuse;
  Encodings encodings = Encodings::kWithBloomFilters;
  // Called now and then with the fraction of the file read and the rows so far.
  std::function<void(double fraction, std::int64_t rows)> progress;
  // Called inside the batch's transaction, after its rows and before the commit, with the
  // report so far; a failure rolls the whole batch back. For writes that must be stored with
  // the batch or not at all, such as its audit record.
  std::function<Result<void>(const LoadReport&)> before_commit;
};

struct LoadReport {
  std::int64_t batch_id = 0;
  bool already_loaded = false;  // The same file was loaded before: nothing was done.
  std::optional<std::int64_t> replaced_batch;
  std::string reader;  // What the reader detected.
  std::int64_t rows_read = 0;
  std::int64_t rows_loaded = 0;
  std::int64_t rows_rejected = 0;
  // Of the rows loaded, those with a name but neither a national id nor a date of birth:
  // linked only probabilistically, on their name and attributes (0 when already_loaded).
  std::int64_t rows_weakly_linkable = 0;
  // Where the time went, in seconds: before the rows (hashing and opening the file), the CPU
  // time of the thread that reads and converts the rows and of the one that writes them, how
  // long the writer waited for converted rows, and after the rows (commit, clean-up).
  struct Timings {
    double before_rows = 0;
    double read_cpu = 0;
    double write_cpu = 0;
    double write_waiting = 0;
    double after_rows = 0;
  } timings;
};

// Loads `options.file` with `profile` as one batch in one transaction: either the whole batch
// (its good rows, its quarantined rows and its provenance) is stored, or nothing is.
// Fails with kIo for an unreadable file, kInvalidArgument when the file does not match the
// profile (a mapped column missing, not a workbook), kConflict when an active batch for the
// same source, profile and year exists and `replace` is kRefuse, or when the instance's
// pseudonyms were made with another key. Row-level problems are not failures: they are
// counted in rows_rejected and listed by the store's row_errors(batch_id).
Result<LoadReport> load_extract(store::RegistrationStore& store, const PseudonymKey& key, const SourceProfile& profile,
                                const LoadOptions& options);

}  // namespace rapporteur::intake
