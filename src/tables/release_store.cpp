// Releases kept in the store (release.h): publishing, reading the served release, the
// published folder's copy of it, and adopting a folder's release into a store without one.
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/crash_point.h"
#include "core/time.h"
#include "tables/internal/release_parts.h"
#include "tables/release.h"

namespace rapporteur::tables {
namespace {

namespace fs = std::filesystem;

// The instance setting naming the served release.
constexpr const char* kServedKey = "served_release";
constexpr std::size_t kKeptBefore = 3;

Result<std::string> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, fmt::format("{}: cannot read", path.string()));
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The bytes of a table's workbook: libxlsxwriter writes by path, so into a private temporary
// file (published figures only, never personal data), read back and removed.
Result<std::string> workbook_bytes(const ReleaseTable& table) {
  std::string name = (fs::temp_directory_path() / "rapporteur-workbook-XXXXXX").string();
  const int fd = ::mkstemp(name.data());
  if (fd < 0) return fail(ErrorCode::kIo, fmt::format("{}: cannot create a temporary file", name));
  ::close(fd);
  auto written = table.write_xlsx(name);
  auto bytes = written ? read_bytes(name) : Result<std::string>(tl::unexpected(written.error()));
  std::error_code ignored;
  fs::remove(name, ignored);
  return bytes;
}

Result<std::string> served_id(store::FileStore& store) {
  auto id = store.get_meta(kServedKey);
  if (!id && id.error().code == ErrorCode::kNotFound) return std::string();
  return id;
}

// Keeps `served` and the kKeptBefore newest other releases; removes the rest and the stored
// files nothing refers to any more.
Result<void> prune(store::FileStore& store, const std::string& served) {
  ASSIGN_OR_RETURN(const std::vector<std::string> ids, store.release_ids());
  std::size_t kept = 0;
  for (const std::string& id : ids) {
    if (id == served) continue;
    if (kept < kKeptBefore) {
      ++kept;
      continue;
    }
    RETURN_IF_ERROR(store.remove_release(id));
  }
  ASSIGN_OR_RETURN(const std::int64_t removed, store.remove_unreferenced_files());
  (void)removed;
  return ok();
}

// Adds `entries` as release `id` and serves it; the caller holds the releases' lock.
Result<void> add_and_serve(store::FileStore& store, const std::string& id, std::vector<store::ReleaseEntry> entries) {
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  RETURN_IF_ERROR(store.add_release({.id = id, .created_at = utc_now_iso(), .files = std::move(entries)}));
  crash_point();
  return store.set_meta(kServedKey, id);
}

}  // namespace

Result<std::string> served_release_id(store::FileStore& store) { return served_id(store); }

std::vector<std::string> ServedRelease::tables() const {
  std::set<std::string> names;
  for (const auto& [name, entry] : files) {
    if (!entry.table.empty() && name == entry.table + ".json") names.insert(entry.table);
  }
  return {names.begin(), names.end()};
}

Result<ServedRelease> served(store::FileStore& store) {
  ServedRelease release;
  ASSIGN_OR_RETURN(release.id, served_id(store));
  if (release.id.empty()) return release;
  ASSIGN_OR_RETURN(const store::ReleaseRecord record, store.release(release.id));
  for (const store::ReleaseEntry& entry : record.files) release.files.emplace(entry.name, entry);
  return release;
}

Result<std::optional<std::string>> read_file(store::FileStore& store, const ServedRelease& release,
                                             const std::string& name) {
  const auto found = release.files.find(name);
  if (found == release.files.end()) return std::optional<std::string>{};
  ASSIGN_OR_RETURN(auto bytes, store.file(found->second.sha256));
  if (!bytes) {
    return fail(ErrorCode::kStorage, fmt::format("release {}: the stored bytes of '{}' are missing", release.id, name));
  }
  return bytes;
}

Result<std::optional<std::string>> read_served_document(store::FileStore& store, const std::string& name) {
  if (!internal::document_name_safe(name)) return std::optional<std::string>{};
  ASSIGN_OR_RETURN(const ServedRelease release, served(store));
  return read_file(store, release, name);
}

Result<Release> publish_release(store::FileStore& store, const std::vector<ReleaseTable>& tables,
                                const std::vector<ReleaseDocument>& documents,
                                const std::function<Result<void>(const Release&)>& within) {
  RETURN_IF_ERROR(internal::check_names(tables, documents));
  // Workbooks are made before the transaction: it holds the releases only for the writing.
  std::vector<std::string> workbooks;
  for (const ReleaseTable& t : tables) {
    ASSIGN_OR_RETURN(std::string bytes, workbook_bytes(t));
    workbooks.push_back(std::move(bytes));
  }
  Release release;
  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store.lock_releases());
    release = Release{};
    release.id = internal::new_release_id();
    const auto put = [&](const std::string& name, const std::string& table,
                         std::string_view bytes) -> Result<store::ReleaseEntry> {
      ASSIGN_OR_RETURN(std::string sha256, store.put_file(bytes));
      return store::ReleaseEntry{name, table, release.id, std::move(sha256)};
    };
    std::vector<store::ReleaseEntry> entries;
    std::set<std::string> replaced;  // Tables and documents this release writes.
    for (std::size_t i = 0; i < tables.size(); ++i) {
      const ReleaseTable& t = tables[i];
      replaced.insert(t.name);
      ASSIGN_OR_RETURN(auto csv, put(t.name + ".csv", t.name, t.csv));
      ASSIGN_OR_RETURN(auto json, put(t.name + ".json", t.name, t.json));
      ASSIGN_OR_RETURN(auto xlsx, put(t.name + ".xlsx", t.name, workbooks[i]));
      entries.insert(entries.end(), {std::move(csv), std::move(json), std::move(xlsx)});
    }
    for (const ReleaseDocument& d : documents) {
      replaced.insert(d.name);
      ASSIGN_OR_RETURN(auto entry, put(d.name, "", d.bytes));
      entries.push_back(std::move(entry));
    }
    ASSIGN_OR_RETURN(const ServedRelease previous, served(store));
    for (const auto& [name, entry] : previous.files) {
      if (!replaced.contains(entry.table.empty() ? name : entry.table)) entries.push_back(entry);
    }
    for (const auto& entry : entries) {
      if (!entry.table.empty() && entry.name == entry.table + ".json") release.tables.push_back(entry.table);
    }
    std::sort(release.tables.begin(), release.tables.end());
    RETURN_IF_ERROR(add_and_serve(store, release.id, std::move(entries)));
    if (within) RETURN_IF_ERROR(within(release));
    return prune(store, release.id);
  }));
  return release;
}

Result<Release> change_document(store::FileStore& store, const std::string& name,
                                const std::function<Result<std::string>(const std::optional<std::string>&)>& change) {
  Release release;
  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store.lock_releases());
    ASSIGN_OR_RETURN(const auto current, read_served_document(store, name));
    ASSIGN_OR_RETURN(std::string bytes, change(current));
    ASSIGN_OR_RETURN(release, publish_release(store, {}, {{name, std::move(bytes)}}));
    return ok();
  }));
  return release;
}

Result<void> mirror_release(store::FileStore& store, const fs::path& published_folder) {
  ASSIGN_OR_RETURN(const ServedRelease release, served(store));
  if (release.id.empty() || served_release(published_folder) == release.id) return ok();
  std::vector<ReleaseTable> tables;
  std::vector<ReleaseDocument> documents;
  const auto bytes_of = [&](const std::string& name) -> Result<std::string> {
    ASSIGN_OR_RETURN(auto bytes, read_file(store, release, name));
    if (!bytes) return fail(ErrorCode::kStorage, fmt::format("release {} has no file '{}'", release.id, name));
    return std::move(*bytes);
  };
  for (const std::string& name : release.tables()) {
    ReleaseTable table{.name = name, .csv = {}, .json = {}, .write_xlsx = {}};
    ASSIGN_OR_RETURN(table.csv, bytes_of(name + ".csv"));
    ASSIGN_OR_RETURN(table.json, bytes_of(name + ".json"));
    ASSIGN_OR_RETURN(std::string xlsx, bytes_of(name + ".xlsx"));
    table.write_xlsx = [xlsx = std::move(xlsx)](const fs::path& path) -> Result<void> {
      std::ofstream out(path, std::ios::binary | std::ios::trunc);
      out.write(xlsx.data(), static_cast<std::streamsize>(xlsx.size()));
      out.flush();
      if (!out) return fail(ErrorCode::kIo, fmt::format("{}: cannot write", path.string()));
      return ok();
    };
    tables.push_back(std::move(table));
  }
  for (const auto& [name, entry] : release.files) {
    if (!entry.table.empty()) continue;
    ASSIGN_OR_RETURN(std::string bytes, bytes_of(name));
    documents.push_back({name, std::move(bytes)});
  }
  ASSIGN_OR_RETURN(const Release written,
                   internal::write_folder_release(published_folder, tables, documents, release.id));
  (void)written;
  return ok();
}

Result<bool> adopt_folder_release(store::FileStore& store, const fs::path& published_folder) {
  std::error_code ec;
  if (published_folder.empty() || !fs::is_directory(published_folder, ec)) return false;
  {
    ASSIGN_OR_RETURN(const std::string id, served_id(store));
    if (!id.empty()) return false;  // The usual case, without taking the lock.
  }
  const fs::path folder = served_folder(published_folder);
  const std::string folder_id = served_release(published_folder);
  // What the folder serves: a release's files (named in its MANIFEST), or for the layout
  // before releases every table file and capitalised document of the folder itself.
  std::vector<std::pair<std::string, std::string>> files;  // (name, table)
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    const std::string name = it->path().filename().string();
    const auto dot = name.rfind('.');
    if (dot == std::string::npos || name == "MANIFEST") continue;
    const std::string stem = name.substr(0, dot);
    const std::string extension = name.substr(dot);
    if (internal::document_name_safe(name)) {
      files.emplace_back(name, "");
    } else if (internal::file_name_safe(stem) &&
               std::find(internal::kTableExtensions.begin(), internal::kTableExtensions.end(), extension) !=
                   internal::kTableExtensions.end()) {
      files.emplace_back(name, stem);
    }
  }
  if (files.empty()) return false;
  bool adopted = false;
  RETURN_IF_ERROR(store.transact([&]() -> Result<void> {
    RETURN_IF_ERROR(store.lock_releases());
    ASSIGN_OR_RETURN(const std::string id, served_id(store));
    if (!id.empty()) return ok();  // Another process adopted it meanwhile.
    const std::string release_id = folder_id.empty() ? internal::new_release_id() : folder_id;
    std::vector<store::ReleaseEntry> entries;
    for (const auto& [name, table] : files) {
      ASSIGN_OR_RETURN(const std::string bytes, read_bytes(folder / name));
      ASSIGN_OR_RETURN(std::string sha256, store.put_file(bytes));
      entries.push_back({name, table, release_id, std::move(sha256)});
    }
    RETURN_IF_ERROR(add_and_serve(store, release_id, std::move(entries)));
    adopted = true;
    return ok();
  }));
  return adopted;
}

}  // namespace rapporteur::tables
