// Files that are never seen half-written: written under a temporary name in the same folder,
// flushed to disk, and renamed into place; symbolic links replaced in one step. POSIX only.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/result.h"

namespace rapporteur {

enum class FileAccess { kDefault, kOwnerOnly };

// Writes `bytes` to `path` so that a reader, or the disk after a crash, holds either the old
// file or the whole new one: a temporary file beside it (mode 0600 before any byte when
// kOwnerOnly), fsync, rename, fsync of the folder. Fails with kIo naming the path and the
// system's reason; the temporary file is removed on failure.
Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view bytes,
                                   FileAccess access = FileAccess::kDefault);

// Flushes a file that someone else wrote (e.g. a library that writes by path) to disk.
Result<void> sync_file(const std::filesystem::path& path);

// Flushes a folder's entries (new names, renames) to disk. Fails with kIo.
Result<void> sync_folder(const std::filesystem::path& folder);

// Points the symbolic link `link` at `target` (created or replaced in one rename, then the
// folder is flushed), so that a reader follows the old target or the new one, never neither.
// Fails with kIo.
Result<void> replace_symlink(const std::filesystem::path& link, const std::filesystem::path& target);

// Lower-case hex SHA-256 of `bytes`.
std::string sha256_hex(std::string_view bytes);

}  // namespace rapporteur
