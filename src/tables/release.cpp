#include "tables/release.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <utility>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/crash_point.h"
#include "core/files.h"
#include "tables/internal/release_parts.h"

namespace rapporteur::tables {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr const char* kManifest = "MANIFEST";
constexpr const char* kCurrent = "current";
constexpr const char* kReleases = "releases";
constexpr std::size_t kKeptBefore = 3;

Error io_error(const fs::path& path, const std::error_code& ec, std::string_view what) {
  return Error{ErrorCode::kIo, fmt::format("{}: {}: {}", path.string(), what, ec.message())};
}

// An exclusive lock on published/.lock for as long as it lives (flock: released by the kernel
// when the process dies, so a crash never leaves the folder locked).
class FolderLock {
 public:
  static Result<FolderLock> take(const fs::path& folder) {
    std::error_code ec;
    fs::create_directories(folder, ec);
    if (ec) return tl::unexpected(io_error(folder, ec, "cannot create folder"));
    const fs::path path = folder / ".lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return fail(ErrorCode::kIo, fmt::format("{}: cannot open the lock file", path.string()));
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno != EINTR) {
        ::close(fd);
        return fail(ErrorCode::kIo, fmt::format("{}: cannot lock", path.string()));
      }
    }
    return FolderLock(fd);
  }
  FolderLock(FolderLock&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FolderLock& operator=(FolderLock&&) = delete;
  FolderLock(const FolderLock&) = delete;
  FolderLock& operator=(const FolderLock&) = delete;
  ~FolderLock() {
    if (fd_ >= 0) ::close(fd_);  // Closing releases the lock.
  }

 private:
  explicit FolderLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

Result<std::string> read_whole(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, fmt::format("{}: cannot read", path.string()));
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

// The manifest of the release in `folder`; an empty object when it has none.
json read_manifest(const fs::path& folder) {
  auto text = read_whole(folder / kManifest);
  if (!text) return json::object();
  json manifest = json::parse(*text, nullptr, false);
  return manifest.is_object() ? manifest : json::object();
}

// Carries a file of the served release into the new one: a hard link, or a copy where the
// file system has none.
Result<void> carry(const fs::path& from, const fs::path& to) {
  std::error_code ec;
  fs::create_hard_link(from, to, ec);
  if (!ec) return ok();
  ASSIGN_OR_RETURN(const std::string bytes, read_whole(from));
  return write_file_atomically(to, bytes);
}

// Keeps the served release and the kKeptBefore newest other whole ones (with a manifest);
// removes the rest, including folders of runs that were interrupted before their manifest.
// Best effort.
void prune(const fs::path& releases, const std::string& served) {
  std::error_code ec;
  std::vector<std::string> ids;
  for (fs::directory_iterator it(releases, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec)) ids.push_back(it->path().filename().string());
  }
  std::sort(ids.rbegin(), ids.rend());
  std::size_t kept = 0;
  for (const auto& id : ids) {
    if (id == served) continue;
    if (fs::exists(releases / id / kManifest, ec) && kept < kKeptBefore) {
      ++kept;
      continue;
    }
    fs::remove_all(releases / id, ec);
  }
}

}  // namespace

fs::path served_folder(const fs::path& published_folder) {
  std::error_code ec;
  const fs::path current = published_folder / kCurrent;
  if (!fs::is_symlink(current, ec)) return published_folder;
  const fs::path target = fs::read_symlink(current, ec);
  if (ec) return published_folder;
  return target.is_absolute() ? target : published_folder / target;
}

std::string served_release(const fs::path& published_folder) {
  const fs::path folder = served_folder(published_folder);
  if (folder == published_folder) return "";
  return read_manifest(folder).value("release", "");
}

namespace {

// publish_release without the lock (its callers hold it).
Result<Release> write_release(const fs::path& published_folder, const std::vector<ReleaseTable>& tables,
                              const std::vector<ReleaseDocument>& documents, const std::string& id) {
  RETURN_IF_ERROR(internal::check_names(tables, documents));
  std::error_code ec;
  const fs::path releases = published_folder / kReleases;
  fs::create_directories(releases, ec);
  if (ec) return tl::unexpected(io_error(releases, ec, "cannot create folder"));

  // Temporaries of an interrupted run (never served: hidden names) are removed.
  for (fs::directory_iterator it(published_folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code ignored;
    if (name.starts_with(".") && name.ends_with(".tmp")) fs::remove(it->path(), ignored);
  }
  Release release;
  release.id = id;
  release.folder = releases / release.id;
  fs::create_directory(release.folder, ec);
  if (ec) return tl::unexpected(io_error(release.folder, ec, "cannot create folder"));

  json manifest_tables = json::object();
  for (const auto& t : tables) {
    const std::string base = (release.folder / t.name).string();
    RETURN_IF_ERROR(write_file_atomically(base + ".csv", t.csv));
    RETURN_IF_ERROR(write_file_atomically(base + ".json", t.json));
    // The workbook is written by path: under a temporary name, flushed, then renamed.
    const fs::path xlsx_temporary = release.folder / ("." + t.name + ".xlsx.tmp");
    crash_point();
    RETURN_IF_ERROR(t.write_xlsx(xlsx_temporary));
    RETURN_IF_ERROR(sync_file(xlsx_temporary));
    crash_point();
    fs::rename(xlsx_temporary, base + ".xlsx", ec);
    if (ec) return tl::unexpected(io_error(base + ".xlsx", ec, "cannot rename into place"));
    ASSIGN_OR_RETURN(const std::string xlsx, read_whole(base + ".xlsx"));
    manifest_tables[t.name] = {{"run", release.id},
                               {"files",
                                {{t.name + ".csv", sha256_hex(t.csv)},
                                 {t.name + ".json", sha256_hex(t.json)},
                                 {t.name + ".xlsx", sha256_hex(xlsx)}}}};
  }

  json manifest_documents = json::object();
  for (const auto& d : documents) {
    crash_point();
    RETURN_IF_ERROR(write_file_atomically(release.folder / d.name, d.bytes));
    manifest_documents[d.name] = {{"run", release.id}, {"sha256", sha256_hex(d.bytes)}};
  }

  // Tables and documents of the served release that this run does not replace stay as they were.
  const fs::path served = served_folder(published_folder);
  if (served != published_folder) {
    const json previous = read_manifest(served);
    const json previous_documents = previous.value("documents", json::object());
    for (const auto& [name, entry] : previous_documents.items()) {
      if (manifest_documents.contains(name)) continue;
      crash_point();
      RETURN_IF_ERROR(carry(served / name, release.folder / name));
      manifest_documents[name] = entry;
    }
    const json previous_tables = previous.value("tables", json::object());
    for (const auto& [name, entry] : previous_tables.items()) {
      if (manifest_tables.contains(name)) continue;
      const json files = entry.value("files", json::object());
      for (const auto& [file, sha] : files.items()) {
        crash_point();
        RETURN_IF_ERROR(carry(served / file, release.folder / file));
      }
      manifest_tables[name] = entry;
    }
  }
  const json manifest = {{"release", release.id}, {"tables", manifest_tables}, {"documents", manifest_documents}};
  RETURN_IF_ERROR(write_file_atomically(release.folder / kManifest, manifest.dump(2) + "\n"));
  RETURN_IF_ERROR(sync_folder(release.folder));
  RETURN_IF_ERROR(sync_folder(releases));

  // The switch: one rename of the link.
  RETURN_IF_ERROR(replace_symlink(published_folder / kCurrent, fs::path(kReleases) / release.id));

  for (const auto& [name, entry] : manifest_tables.items()) {
    release.tables.push_back(name);
    for (const char* extension : internal::kTableExtensions) {
      const fs::path link = published_folder / (name + extension);
      const fs::path target = fs::path(kCurrent) / (name + extension);
      if (fs::is_symlink(link, ec) && fs::read_symlink(link, ec) == target) continue;
      RETURN_IF_ERROR(replace_symlink(link, target));
    }
  }
  prune(releases, release.id);
  return release;
}

}  // namespace

namespace internal {

bool file_name_safe(const std::string& name) {
  return !name.empty() && name.size() <= 100 && name.front() != '.' &&
         std::all_of(name.begin(), name.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; });
}

bool document_name_safe(const std::string& name) {
  const auto dot = name.find('.');
  if (dot == std::string::npos || dot == 0 || dot > 100 || name.find('.', dot + 1) != std::string::npos) return false;
  const std::string stem = name.substr(0, dot);
  const std::string extension = name.substr(dot + 1);
  return stem.front() >= 'A' && stem.front() <= 'Z' &&
         std::all_of(stem.begin(), stem.end(),
                     [](char c) { return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'; }) &&
         file_name_safe(extension) && extension.size() <= 8 && stem != "MANIFEST";
}

Result<void> check_names(const std::vector<ReleaseTable>& tables, const std::vector<ReleaseDocument>& documents) {
  if (tables.empty() && documents.empty()) {
    return fail(ErrorCode::kInvalidArgument, "a release needs at least one table or document");
  }
  for (const auto& d : documents) {
    if (!document_name_safe(d.name)) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("document name '{}' is not a capitalised name with one extension (A-Z, 0-9, '-', '_', "
                              "then '.' and a-z, 0-9)",
                              d.name));
    }
  }
  for (const auto& t : tables) {
    if (!file_name_safe(t.name)) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("table name '{}' is not file-name safe (a-z, 0-9, '-', '_')", t.name));
    }
  }
  return ok();
}

std::string new_release_id() {
  thread_local std::mt19937 random{std::random_device{}()};
  const auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y%m%dT%H%M%S}Z-{:06x}", now, random() & 0xffffffu);
}

Result<Release> write_folder_release(const fs::path& published_folder, const std::vector<ReleaseTable>& tables,
                                     const std::vector<ReleaseDocument>& documents, const std::string& id) {
  ASSIGN_OR_RETURN(const FolderLock lock, FolderLock::take(published_folder));
  return write_release(published_folder, tables, documents, id);
}

}  // namespace internal
}  // namespace rapporteur::tables
