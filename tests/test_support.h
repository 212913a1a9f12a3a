// Helpers shared by the test suites: a temporary folder per test.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <random>
#include <string>

namespace rapporteur::testing {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::random_device random;
    path_ = std::filesystem::temp_directory_path() /
            ("rapporteur-test-" + std::to_string(::getpid()) + "-" + std::to_string(random()));
    std::filesystem::create_directories(path_);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Letters from a number ("a", "b", ..., "ba"), so that generated names stay distinct after
// name normalisation, which drops digits.
inline std::string letters(int number) {
  std::string s;
  do {
    s += static_cast<char>('a' + number % 26);
    number /= 26;
  } while (number > 0);
  return s;
}

}  // namespace rapporteur::testing
