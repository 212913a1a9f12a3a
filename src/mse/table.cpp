#include <algorithm>
#include <charconv>
#include <map>
#include <sstream>

#include <fmt/format.h>

#include "mse/mse.h"

namespace rapporteur::mse {
namespace {

std::vector<std::string> split_line(const std::string& line) {
  std::vector<std::string> fields;
  std::string field;
  bool quoted = false;
  for (const char c : line) {
    if (c == '"') {
      quoted = !quoted;
    } else if (c == ',' && !quoted) {
      fields.push_back(field);
      field.clear();
    } else if (c != '\r') {
      field += c;
    }
  }
  fields.push_back(field);
  return fields;
}

}  // namespace

std::int64_t CaptureTable::observed() const {
  std::int64_t total = 0;
  for (std::size_t p = 1; p < counts.size(); ++p) total += counts[p];
  return total;
}

CaptureTable without_empty_lists(const CaptureTable& table, std::vector<std::string>* dropped) {
  std::vector<int> kept;
  for (int i = 0; i < table.list_count(); ++i) {
    bool seen = false;
    for (std::size_t p = 1; p < table.counts.size() && !seen; ++p) seen = ((p >> i) & 1) && table.counts[p] > 0;
    if (seen)
      kept.push_back(i);
    else if (dropped)
      dropped->push_back(table.lists[static_cast<std::size_t>(i)]);
  }
  if (static_cast<int>(kept.size()) == table.list_count()) return table;
  CaptureTable result;
  for (const int i : kept) result.lists.push_back(table.lists[static_cast<std::size_t>(i)]);
  result.counts.assign(std::size_t{1} << kept.size(), 0);
  for (std::size_t p = 1; p < table.counts.size(); ++p) {
    std::size_t q = 0;
    for (std::size_t k = 0; k < kept.size(); ++k) q |= ((p >> kept[k]) & 1) << k;
    result.counts[q] += table.counts[p];  // Cells with an empty list's bit are all zero.
  }
  result.counts[0] = 0;
  return result;
}

Result<CaptureTable> parse_capture_table(std::string_view csv, std::string_view file_name,
                                         const std::vector<std::string>& list_names) {
  const auto bad = [&](std::string why) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", file_name, why));
  };
  std::istringstream in{std::string(csv)};
  std::string line;
  if (!std::getline(in, line)) return bad("empty file");
  if (line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  const std::vector<std::string> header = split_line(line);
  const auto count_at = std::find(header.begin(), header.end(), "count");
  if (count_at == header.end()) return bad("no 'count' column");
  const auto count_column = static_cast<std::size_t>(count_at - header.begin());
  std::vector<std::vector<std::string>> rows;
  for (long row = 2; std::getline(in, line); ++row) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto fields = split_line(line);
    if (fields.size() != header.size()) {
      return bad(fmt::format("row {} has {} fields, the header {}", row, fields.size(), header.size()));
    }
    rows.push_back(std::move(fields));
  }
  std::vector<std::size_t> list_columns;
  if (!list_names.empty()) {
    for (const auto& name : list_names) {
      const auto it = std::find(header.begin(), header.end(), name);
      if (it == header.end()) return bad(fmt::format("no list column '{}'", name));
      list_columns.push_back(static_cast<std::size_t>(it - header.begin()));
    }
  } else {
    for (std::size_t c = 0; c < header.size(); ++c) {
      if (c == count_column) continue;
      const bool binary =
          std::all_of(rows.begin(), rows.end(), [&](const auto& r) { return r[c] == "0" || r[c] == "1"; });
      if (binary) list_columns.push_back(c);
    }
  }
  const auto k = static_cast<int>(list_columns.size());
  if (k < 2) return bad(fmt::format("{} list column(s); estimation needs at least 2", k));
  if (k > kMaxLists) return bad(fmt::format("{} lists; at most {} are supported", k, kMaxLists));
  CaptureTable table;
  for (const std::size_t c : list_columns) table.lists.push_back(header[c]);
  table.counts.assign(std::size_t{1} << k, 0);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::size_t pattern = 0;
    for (int i = 0; i < k; ++i) {
      const std::string& v = rows[r][list_columns[i]];
      if (v != "0" && v != "1") {
        return bad(fmt::format("row {}, column {}: '{}' is not 0 or 1", r + 2, header[list_columns[i]], v));
      }
      if (v == "1") pattern |= std::size_t{1} << i;
    }
    const std::string& text = rows[r][count_column];
    std::int64_t count = -1;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), count);
    if (ec != std::errc() || end != text.data() + text.size() || count < 0) {
      return bad(fmt::format("row {}, column count: '{}' is not a non-negative whole number", r + 2, text));
    }
    if (pattern == 0 && count > 0) {
      return bad(fmt::format("row {}: people seen by no list cannot be counted", r + 2));
    }
    table.counts[pattern] += count;
  }
  if (table.observed() == 0) return bad("no one was observed");
  return table;
}

std::int64_t StratifiedTable::observed() const {
  std::int64_t total = 0;
  for (const auto& c : counts) {
    for (std::size_t p = 1; p < c.size(); ++p) total += c[p];
  }
  return total;
}

Result<StratifiedTable> parse_stratified_table(std::string_view csv, std::string_view file_name,
                                               const std::string& by) {
  std::istringstream in{std::string(csv)};
  std::string header_line;
  if (!std::getline(in, header_line))
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: empty file", file_name));
  if (header_line.starts_with("\xEF\xBB\xBF")) header_line.erase(0, 3);
  const std::vector<std::string> header = split_line(header_line);
  const auto by_at = std::find(header.begin(), header.end(), by);
  if (by_at == header.end()) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: no stratum column '{}'", file_name, by));
  }
  const auto by_column = static_cast<std::size_t>(by_at - header.begin());
  // The lists are the 0/1 columns of the whole file, the stratum column excepted.
  ASSIGN_OR_RETURN(const CaptureTable whole, parse_capture_table(csv, file_name));
  std::vector<std::string> lists;
  for (const auto& l : whole.lists) {
    if (l != by) lists.push_back(l);
  }
  std::map<std::string, std::string> parts;  // Stratum value -> its rows as CSV.
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    const auto fields = split_line(line);
    if (fields.size() != header.size()) continue;  // parse_capture_table above has refused such rows.
    auto& part = parts[fields[by_column]];
    if (part.empty()) part = header_line + "\n";
    part += line + "\n";
  }
  StratifiedTable table;
  table.lists = lists;
  for (const auto& [value, part] : parts) {
    ASSIGN_OR_RETURN(CaptureTable t,
                     parse_capture_table(part, fmt::format("{} ({} = {})", file_name, by, value), lists));
    table.strata.push_back(value);
    table.counts.push_back(std::move(t.counts));
  }
  return table;
}

Result<Model> parse_model(std::string_view terms, const std::vector<std::string>& lists) {
  Model model;
  if (terms.empty() || terms == "independence") return model;
  std::string text(terms);
  std::istringstream in(text);
  std::string term;
  while (std::getline(in, term, ',')) {
    term.erase(std::remove(term.begin(), term.end(), ' '), term.end());
    const auto colon = term.find(':');
    if (colon == std::string::npos || term.find(':', colon + 1) != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("model term '{}' is not a pair of lists such as A:B", term));
    }
    const auto index_of = [&](const std::string& name) -> int {
      const auto it = std::find(lists.begin(), lists.end(), name);
      return it == lists.end() ? -1 : static_cast<int>(it - lists.begin());
    };
    int a = index_of(term.substr(0, colon));
    int b = index_of(term.substr(colon + 1));
    if (a < 0 || b < 0 || a == b) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("model term '{}' does not name two different lists of the table", term));
    }
    if (a > b) std::swap(a, b);
    if (std::find(model.interactions.begin(), model.interactions.end(), std::pair{a, b}) == model.interactions.end()) {
      model.interactions.emplace_back(a, b);
    }
  }
  std::sort(model.interactions.begin(), model.interactions.end());
  return model;
}

std::string describe(const Model& model, const std::vector<std::string>& lists) {
  if (model.interactions.empty()) return "independence";
  std::string text;
  for (const auto& [a, b] : model.interactions) {
    text += fmt::format("{}{}:{}", text.empty() ? "" : ",", lists[a], lists[b]);
  }
  return text;
}

}  // namespace rapporteur::mse
