// The files role of the store: files kept in the database by their SHA-256 (the knowledge
// base's attached files; the CSV, JSON and XLSX files and documents of published releases) and
// the releases of published tables the public side serves. Every web node on one database so
// serves the same files, and a backup or a migration carries them. Used by tables (releases),
// kb (attached files) and the web faces.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "store/meta_store.h"

namespace rapporteur::store {

// One file of a release: a table's file (`table` its name) or a document (`table` empty).
struct ReleaseEntry {
  std::string name;    // E.g. "victims-year.csv" or "ESTIMATES.json".
  std::string table;   // The table the file belongs to; empty for a document.
  std::string run;     // The release that wrote it (carried files keep their first run).
  std::string sha256;  // Its bytes, in the stored files.
};

struct ReleaseRecord {
  std::string id;                   // Sorts by time of writing.
  std::string created_at;           // UTC, ISO 8601.
  std::vector<ReleaseEntry> files;  // By name.
};

class FileStore : public virtual MetaStore {
 public:
  // Stores `bytes` under their SHA-256 (lower-case hex), which it returns; storing the same
  // bytes again changes nothing.
  virtual Result<std::string> put_file(std::string_view bytes) = 0;
  // The bytes stored under `sha256`; nullopt when there are none.
  virtual Result<std::optional<std::string>> file(const std::string& sha256) = 0;

  // Inside a transaction: waits until no other transaction (of any process or node) holds the
  // releases, then holds them until this transaction ends. Publications take it first, so two
  // at once never lose what the other carried over.
  virtual Result<void> lock_releases() = 0;
  // Adds a release whose files are all stored (kNotFound names one that is not); kConflict
  // for an id that exists.
  virtual Result<void> add_release(const ReleaseRecord& release) = 0;
  // The release `id` with its files; kNotFound when there is none.
  virtual Result<ReleaseRecord> release(const std::string& id) = 0;
  // The ids of all releases, newest first.
  virtual Result<std::vector<std::string>> release_ids() = 0;
  // Removes a release (not its stored files). Removing one that does not exist is no error.
  virtual Result<void> remove_release(const std::string& id) = 0;
  // Removes the stored files neither a release nor a publication refers to; returns how many.
  virtual Result<std::int64_t> remove_unreferenced_files() = 0;
};

}  // namespace rapporteur::store
