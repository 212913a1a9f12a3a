#include "core/files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <random>

#include <fmt/format.h>
#include <openssl/evp.h>

#include "core/crash_point.h"

namespace rapporteur {
namespace {

Error io_error(const std::filesystem::path& path, std::string_view what) {
  return Error{ErrorCode::kIo, fmt::format("{}: {}: {}", path.string(), what, std::strerror(errno))};
}

// A name beside `path` that no other writer uses.
std::filesystem::path temporary_beside(const std::filesystem::path& path) {
  thread_local std::mt19937_64 random{std::random_device{}()};
  return path.parent_path() / fmt::format(".{}.{:016x}.tmp", path.filename().string(), random());
}

Result<void> fsync_path(const std::filesystem::path& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return tl::unexpected(io_error(path, "cannot open to flush"));
  const int synced = ::fsync(fd);
  ::close(fd);
  if (synced != 0) return tl::unexpected(io_error(path, "cannot flush to disk"));
  return ok();
}

// Writes all of `bytes`; false with errno set on failure.
bool write_all(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

Result<void> write_file_atomically(const std::filesystem::path& path, std::string_view bytes, FileAccess access) {
  const auto temporary = temporary_beside(path);
  const mode_t mode = access == FileAccess::kOwnerOnly ? 0600 : 0644;
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return tl::unexpected(io_error(temporary, "cannot create"));
  if (access == FileAccess::kOwnerOnly && ::fchmod(fd, 0600) != 0) {  // Whatever the umask.
    const Error error = io_error(temporary, "cannot restrict access");
    ::close(fd);
    ::unlink(temporary.c_str());
    return tl::unexpected(error);
  }
  // A crash test may stop the process before anything, half-way and after everything is
  // written: the file must not be visible at any of these moments.
  crash_point();
  const std::size_t half = bytes.size() / 2;
  bool written = write_all(fd, bytes.substr(0, half));
  if (written) {
    crash_point();
    written = write_all(fd, bytes.substr(half));
  }
  if (!written) {
    const Error error = io_error(temporary, "cannot write");
    ::close(fd);
    ::unlink(temporary.c_str());
    return tl::unexpected(error);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const Error error = io_error(temporary, "cannot flush to disk");
    ::unlink(temporary.c_str());
    return tl::unexpected(error);
  }
  crash_point();
  if (::rename(temporary.c_str(), path.c_str()) != 0) {
    const Error error = io_error(path, "cannot rename into place");
    ::unlink(temporary.c_str());
    return tl::unexpected(error);
  }
  crash_point();
  return sync_folder(path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path());
}

Result<void> sync_file(const std::filesystem::path& path) { return fsync_path(path, O_RDONLY); }

Result<void> sync_folder(const std::filesystem::path& folder) {
  crash_point();  // A rename done but not yet flushed.
  return fsync_path(folder, O_RDONLY | O_DIRECTORY);
}

Result<void> replace_symlink(const std::filesystem::path& link, const std::filesystem::path& target) {
  const auto temporary = temporary_beside(link);
  if (::symlink(target.c_str(), temporary.c_str()) != 0)
    return tl::unexpected(io_error(temporary, "cannot create link"));
  crash_point();
  if (::rename(temporary.c_str(), link.c_str()) != 0) {
    const Error error = io_error(link, "cannot replace link");
    ::unlink(temporary.c_str());
    return tl::unexpected(error);
  }
  crash_point();
  return sync_folder(link.parent_path().empty() ? std::filesystem::path(".") : link.parent_path());
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) hex += fmt::format("{:02x}", digest[i]);
  return hex;
}

}  // namespace rapporteur
