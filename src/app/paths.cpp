#include "app/paths.h"

#include <system_error>

namespace rapporteur::app {

std::filesystem::path data_folder(std::string_view name, const std::filesystem::path& build_fallback) {
  std::error_code ec;
  const auto executable = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    const auto installed = executable.parent_path().parent_path() / "share" / "rapporteur" / name;
    if (std::filesystem::is_directory(installed, ec)) return installed;
  }
  return build_fallback;
}

}  // namespace rapporteur::app
