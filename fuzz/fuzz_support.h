// Shared by the fuzz targets: a file holding the input for parsers that read a path, and the
// check that turns a broken promise of a parser into a crash the fuzzer reports.
#pragma once

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

namespace rapporteur::fuzz {

// A per-process temporary folder, removed at exit.
class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "rapporteur-fuzz-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// The folder of this process's fuzzing; lives until exit.
inline const std::filesystem::path& temp_folder() {
  static const TempFolder folder;
  return folder.path();
}

// Writes the input to `name` in the temporary folder and returns its path.
inline std::filesystem::path write_input(const std::string& name, const std::uint8_t* data, std::size_t size) {
  const std::filesystem::path path = temp_folder() / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) std::abort();
  return path;
}

inline std::string_view as_text(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// True when `text` is well-formed UTF-8 (no overlong forms, no surrogates, at most
// U+10FFFF): written here, apart from the parsers' own checks, so a target does not take a
// parser's word for it.
inline bool is_utf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    char32_t low = 0;
    char32_t code = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if (c >= 0xC0 && c < 0xE0) {
      extra = 1, low = 0x80, code = c & 0x1F;
    } else if (c >= 0xE0 && c < 0xF0) {
      extra = 2, low = 0x800, code = c & 0x0F;
    } else if (c >= 0xF0 && c < 0xF8) {
      extra = 3, low = 0x10000, code = c & 0x07;
    } else {
      return false;
    }
    if (text.size() - i <= extra) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < low || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return false;
    i += extra + 1;
  }
  return true;
}

// A parser broke its contract on this input: report it as a crash with `what`.
inline void require(bool holds, const char* what) {
  if (!holds) {
    std::fprintf(stderr, "contract broken: %s\n", what);
    std::abort();
  }
}

}  // namespace rapporteur::fuzz
