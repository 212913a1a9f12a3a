#include <iconv.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "intake/internal/tables.h"

namespace rapporteur::intake::internal {

bool is_utf8(std::string_view bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    // Eight ASCII bytes at a time: most of an extract is ASCII.
    if (i + 8 <= bytes.size()) {
      std::uint64_t word = 0;
      std::memcpy(&word, bytes.data() + i, sizeof word);
      if ((word & 0x8080808080808080ULL) == 0) {
        i += 8;
        continue;
      }
    }
    const auto c = static_cast<unsigned char>(bytes[i]);
    std::size_t extra = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0 && c >= 0xC2)
      extra = 1;
    else if ((c & 0xF0) == 0xE0)
      extra = 2;
    else if ((c & 0xF8) == 0xF0 && c <= 0xF4)
      extra = 3;
    else
      return false;
    if (i + extra >= bytes.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(bytes[i + k]) & 0xC0) != 0x80) return false;
    }
    // RFC 3629's table: no overlong forms, no surrogates, nothing past U+10FFFF (fuzzing found
    // F0 8D .. .., an overlong form, taken for UTF-8 and stored).
    const auto second = static_cast<unsigned char>(bytes[i + 1]);
    if ((c == 0xE0 && second < 0xA0) || (c == 0xED && second > 0x9F) || (c == 0xF0 && second < 0x90) ||
        (c == 0xF4 && second > 0x8F)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

Result<std::string> windows1252_to_utf8(std::string_view bytes) {
  iconv_t cd = iconv_open("UTF-8", "WINDOWS-1252");
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return fail(ErrorCode::kInternal, "iconv cannot convert from WINDOWS-1252");
  }
  std::string out(bytes.size() * 3 + 16, '\0');
  char* in_ptr = const_cast<char*>(bytes.data());
  std::size_t in_left = bytes.size();
  char* out_ptr = out.data();
  std::size_t out_left = out.size();
  const std::size_t rc = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
  iconv_close(cd);
  if (rc == static_cast<std::size_t>(-1)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("byte {} is not valid Windows-1252 (0x81, 0x8D, 0x8F, 0x90 and 0x9D "
                            "are unassigned)",
                            bytes.size() - in_left));
  }
  out.resize(out.size() - out_left);
  return out;
}

namespace {

class CsvReader final : public RowReader {
 public:
  CsvReader(std::string text, char delimiter, std::string description)
      : text_(std::move(text)), delimiter_(delimiter), description_(std::move(description)) {}

  Result<void> read_header() {
    Row row;
    ASSIGN_OR_RETURN(const bool found, next(row));
    if (!found) {
      return fail(ErrorCode::kInvalidArgument, "the file is empty: no header row");
    }
    header_ = std::move(row.fields);
    for (auto& name : header_) name = trim(name);
    return ok();
  }

  const std::vector<std::string>& header() const override { return header_; }

  Result<bool> next(Row& row) override {
    const char* data = text_.data();
    const std::size_t size = text_.size();
    for (;;) {
      if (pos_ >= size) return false;
      row.number = line_;
      // The row's strings are reused from row to row: most fields then cost no allocation.
      std::size_t used = 0;
      const auto start_field = [&]() -> std::string& {
        if (used == row.fields.size()) row.fields.emplace_back();
        std::string& f = row.fields[used++];
        f.clear();
        return f;
      };
      std::string* field = &start_field();
      bool quoted = false;
      bool field_was_quoted = false;
      bool any_content = false;
      for (;;) {
        if (pos_ >= size) {
          if (quoted) {
            return fail(ErrorCode::kInvalidArgument,
                        fmt::format("row {}: a quoted field is not closed before the end of the file", row.number));
          }
          break;
        }
        if (quoted) {
          // Everything up to the next quote is the field's, newlines included.
          const void* quote = std::memchr(data + pos_, '"', size - pos_);
          const std::size_t end = quote ? static_cast<std::size_t>(static_cast<const char*>(quote) - data) : size;
          line_ += std::count(data + pos_, data + end, '\n');
          field->append(data + pos_, end - pos_);
          pos_ = end;
          if (pos_ >= size) continue;  // Unterminated: reported above.
          ++pos_;
          if (pos_ < size && data[pos_] == '"') {
            *field += '"';
            ++pos_;
          } else {
            quoted = false;
          }
          continue;
        }
        // A run of ordinary characters is copied at once.
        std::size_t end = pos_;
        while (end < size) {
          const char c = data[end];
          if (c == delimiter_ || c == '\n' || c == '\r' || c == '"') break;
          if (c != ' ' && c != '\t') any_content = true;
          ++end;
        }
        if (end > pos_) {
          field->append(data + pos_, end - pos_);
          pos_ = end;
          continue;
        }
        const char c = data[pos_++];
        if (c == '"' && field->empty() && !field_was_quoted) {
          quoted = true;
          field_was_quoted = true;
          any_content = true;
        } else if (c == '"') {
          *field += c;  // A quote inside an unquoted field is taken literally.
          any_content = true;
        } else if (c == delimiter_) {
          field = &start_field();
          field_was_quoted = false;
          any_content = true;
        } else {
          if (c == '\r' && pos_ < size && data[pos_] == '\n') ++pos_;
          ++line_;
          break;
        }
      }
      row.fields.resize(used);
      if (any_content) return true;
      // An empty line (or one of blanks) is skipped; its number is still counted.
    }
  }

  double progress() const override {
    return text_.empty() ? 1.0 : static_cast<double>(pos_) / static_cast<double>(text_.size());
  }
  std::string describe() const override { return description_; }

 private:
  static std::string trim(const std::string& s) {
    const auto begin = s.find_first_not_of(" \t");
    if (begin == std::string::npos) return "";
    const auto end = s.find_last_not_of(" \t");
    return s.substr(begin, end - begin + 1);
  }

  std::string text_;
  char delimiter_;
  std::string description_;
  std::vector<std::string> header_;
  std::size_t pos_ = 0;
  long line_ = 1;
};

// Picks the delimiter that occurs most often outside quotes in the first line.
char detect_delimiter(std::string_view text) {
  std::array<std::pair<char, int>, 3> counts{{{';', 0}, {',', 0}, {'\t', 0}}};
  bool quoted = false;
  for (const char c : text) {
    if (c == '"') quoted = !quoted;
    if (!quoted && (c == '\n' || c == '\r')) break;
    if (quoted) continue;
    for (auto& [d, n] : counts) {
      if (c == d) ++n;
    }
  }
  auto best = counts[0];
  for (const auto& entry : counts) {
    if (entry.second > best.second) best = entry;
  }
  return best.second > 0 ? best.first : ';';
}

}  // namespace

Result<std::unique_ptr<RowReader>> open_csv(const std::filesystem::path& path, const CsvOptions& options) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return fail(ErrorCode::kIo, fmt::format("{}: cannot open file", path.string()));
  }
  std::string bytes;
  std::error_code size_error;
  const auto size = std::filesystem::file_size(path, size_error);
  if (!size_error) {
    bytes.resize(size);
    file.read(bytes.data(), static_cast<std::streamsize>(size));
    bytes.resize(static_cast<std::size_t>(file.gcount()));
  }
  if (size_error || file.bad()) {
    return fail(ErrorCode::kIo, fmt::format("{}: cannot read file", path.string()));
  }
  std::vector<std::string> notes;
  constexpr std::string_view kBom = "\xEF\xBB\xBF";
  bool bom = false;
  if (std::string_view(bytes).starts_with(kBom)) {
    bytes.erase(0, kBom.size());
    bom = true;
  }
  std::string encoding = options.encoding;
  if (encoding.empty()) {
    encoding = bom || is_utf8(bytes) ? "utf-8" : "windows-1252";
  }
  if (encoding == "windows-1252") {
    auto converted = windows1252_to_utf8(bytes);
    if (!converted) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path.string(), converted.error().message));
    }
    bytes = std::move(*converted);
  } else if (encoding != "utf-8") {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: unsupported encoding '{}'; expected utf-8 or windows-1252", path.string(), encoding));
  } else if (!is_utf8(bytes)) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: the file is declared UTF-8 but is not valid UTF-8", path.string()));
  }
  const char delimiter = options.delimiter ? options.delimiter : detect_delimiter(bytes);
  const std::string description =
      fmt::format("csv, delimiter {}, {}{}", delimiter == '\t' ? std::string("tab") : fmt::format("'{}'", delimiter),
                  encoding, bom ? ", BOM" : "");
  auto reader = std::make_unique<CsvReader>(std::move(bytes), delimiter, description);
  if (auto header = reader->read_header(); !header) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path.string(), header.error().message));
  }
  return std::unique_ptr<RowReader>(std::move(reader));
}

}  // namespace rapporteur::intake::internal
