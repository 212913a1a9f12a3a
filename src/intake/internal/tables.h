// Readers of tabular extracts (CSV and XLSX) as rows of UTF-8 text fields.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"

namespace rapporteur::intake::internal {

struct Row {
  long number = 0;  // Row as a spreadsheet shows it: the header is row 1.
  std::vector<std::string> fields;
};

// Streams the data rows of one table. Not thread-safe.
class RowReader {
 public:
  virtual ~RowReader() = default;
  virtual const std::vector<std::string>& header() const = 0;
  // Reads the next non-empty row into `row`; returns false at the end. Fails with
  // kInvalidArgument naming the row for malformed input (e.g. an unterminated quote).
  virtual Result<bool> next(Row& row) = 0;
  // Fraction of the input consumed, in [0, 1], for progress reporting.
  virtual double progress() const = 0;
  // What was detected, e.g. "csv, ';', windows-1252, BOM".
  virtual std::string describe() const = 0;
};

struct CsvOptions {
  char delimiter = 0;    // 0: detect among ';', ',' and tab.
  std::string encoding;  // "", "utf-8" or "windows-1252"; "" detects.
};

// Opens a CSV file: RFC 4180 quoting (quoted delimiters, quotes and newlines), CRLF or LF,
// UTF-8 with or without BOM, Windows-1252 detected (any byte sequence that is not UTF-8) and
// converted. Fails with kIo when unreadable and kInvalidArgument when it has no header.
Result<std::unique_ptr<RowReader>> open_csv(const std::filesystem::path& path, const CsvOptions& options);

// Opens a sheet of an XLSX workbook (the first when `sheet` is empty). Fails with
// kInvalidArgument when the file is not a workbook or the sheet does not exist.
Result<std::unique_ptr<RowReader>> open_xlsx(const std::filesystem::path& path, const std::string& sheet);

// Converts Windows-1252 bytes to UTF-8 (iconv).
Result<std::string> windows1252_to_utf8(std::string_view bytes);
// True when `bytes` is well-formed UTF-8.
bool is_utf8(std::string_view bytes);

}  // namespace rapporteur::intake::internal
