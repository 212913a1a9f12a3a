// Reading tables from outside the store: CSV of cells, microdata CSV, the shared JSON format,
// and hierarchy files (.hrc, TOML). The CSV splitter is our own (RFC 4180 fields; Debian packs
// no C++ CSV library, and intake's reader is internal to intake).
#include <algorithm>
#include <charconv>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <toml.hpp>

#include "app/sdc_table.h"

namespace rapporteur::app {
namespace {

constexpr std::size_t kMaxReported = 10;

Result<std::string> slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return fail(ErrorCode::kIo, fmt::format("{}: cannot be read", path.string()));
  std::ostringstream text;
  text << in.rdbuf();
  std::string s = text.str();
  if (s.rfind("\xEF\xBB\xBF", 0) == 0) s.erase(0, 3);  // A byte-order mark.
  return s;
}

// Splits CSV text into records of fields (RFC 4180: quoted fields may hold commas, quotes
// doubled, line breaks). The separator is ',' or, when the header holds none, ';'.
std::vector<std::vector<std::string>> split_csv(const std::string& text) {
  const auto header_end = text.find('\n');
  const std::string_view header(text.data(), header_end == std::string::npos ? text.size() : header_end);
  const char sep = header.find(',') == std::string_view::npos && header.find(';') != std::string_view::npos ? ';' : ',';
  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  bool any = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
      continue;
    }
    if (c == '"') {
      quoted = true;
      any = true;
    } else if (c == sep) {
      record.push_back(std::move(field));
      field.clear();
      any = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      if (any || !field.empty()) record.push_back(std::move(field));
      records.push_back(std::move(record));
      record.clear();
      field.clear();
      any = false;
    } else {
      field += c;
      any = true;
    }
  }
  if (any || !field.empty()) {
    record.push_back(std::move(field));
    records.push_back(std::move(record));
  }
  return records;
}

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t");
  if (first == std::string::npos) return "";
  return s.substr(first, s.find_last_not_of(" \t") - first + 1);
}

// Collects input errors; the message lists up to kMaxReported and counts the rest.
class Problems {
 public:
  void add(std::string message) {
    if (messages_.size() < kMaxReported) messages_.push_back(std::move(message));
    ++count_;
  }
  bool empty() const { return count_ == 0; }
  Error error() const {
    std::string text;
    for (const auto& m : messages_) text += (text.empty() ? "" : "; ") + m;
    if (count_ > messages_.size()) text += fmt::format("; and {} more", count_ - messages_.size());
    return Error{ErrorCode::kInvalidArgument, text};
  }

 private:
  std::vector<std::string> messages_;
  std::size_t count_ = 0;
};

std::optional<std::int64_t> parse_count(const std::string& text) {
  const std::string t = trim(text);
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size() || v < 0) return std::nullopt;
  return v;
}

// A dimension from (parent -> children) pairs with a known root, listed breadth first.
Result<sdc::Dimension> from_children(const std::string& name, const std::string& root,
                                     const std::map<std::string, std::vector<std::string>>& children,
                                     const std::string& file) {
  std::vector<std::pair<std::string, std::string>> codes{{root, ""}};
  std::set<std::string> seen{root};
  for (std::size_t i = 0; i < codes.size(); ++i) {
    const auto it = children.find(codes[i].first);
    if (it == children.end()) continue;
    for (const auto& child : it->second) {
      if (!seen.insert(child).second) {
        return fail(ErrorCode::kInvalidArgument,
                    fmt::format("{}: dimension {}: code '{}' appears twice", file, name, child));
      }
      codes.emplace_back(child, codes[i].first);
    }
  }
  for (const auto& [parent, kids] : children) {
    if (!seen.count(parent)) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("{}: dimension {}: parent '{}' is not below the total '{}'", file, name, parent, root));
    }
  }
  auto dim = sdc::make_dimension(name, codes);
  if (!dim) return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", file, dim.error().message));
  return dim;
}

Result<sdc::Dimension> read_hrc(const std::string& name, const std::filesystem::path& path, const std::string& total) {
  ASSIGN_OR_RETURN(const std::string text, slurp(path));
  std::vector<std::pair<std::string, std::string>> codes{{total, ""}};
  std::vector<std::string> chain{total};  // chain[d]: the last code at depth d.
  std::istringstream lines(text);
  std::string line;
  for (int row = 1; std::getline(lines, line); ++row) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (trim(line).empty()) continue;
    std::size_t depth = 0;
    while (depth < line.size() && line[depth] == '@') ++depth;
    const std::string code = trim(line.substr(depth));
    if (code.empty()) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("{} row {}: a level without a code", path.string(), row));
    }
    if (depth + 1 > chain.size()) {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("{} row {}: code '{}' is {} levels below the code before it (at most one)", path.string(),
                              row, code, depth + 1 - chain.size() + 1));
    }
    chain.resize(depth + 1);
    codes.emplace_back(code, chain.back());
    chain.push_back(code);
  }
  auto dim = sdc::make_dimension(name, codes);
  if (!dim) return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", path.string(), dim.error().message));
  return dim;
}

Result<sdc::Dimension> read_toml_hierarchy(const std::string& name, const std::filesystem::path& path) {
  ASSIGN_OR_RETURN(const std::string text, slurp(path));
  try {
    std::istringstream in(text);
    const toml::value root = toml::parse(in, path.string());
    const auto total = toml::find<std::string>(root, "total");
    std::map<std::string, std::vector<std::string>> children;
    for (const auto& [parent, kids] : toml::find<toml::table>(root, "children")) {
      children[parent] = toml::get<std::vector<std::string>>(kids);
    }
    return from_children(name, total, children, path.string());
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: not a hierarchy (total = \"...\" and a [children] table of lists): {}", path.string(),
                            e.what()));
  }
}

// A cell as read: its code positions (per dimension), value, and where it came from.
struct Entry {
  std::vector<int> at;
  std::int64_t value = 0;
  std::string where;  // "file row N"
};

// Fills a table from its entries: leaves are summed into every margin; a margin given must
// match; a cell given twice is refused.
Result<sdc::Table> assemble(sdc::Table table, const std::vector<Entry>& entries, Problems& problems) {
  const std::size_t n = table.cell_count();
  std::vector<std::vector<char>> leaf(table.dimensions.size());
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    const auto& dim = table.dimensions[d];
    leaf[d].assign(dim.codes.size(), 1);
    for (const int p : dim.parents) {
      if (p >= 0) leaf[d][static_cast<std::size_t>(p)] = 0;
    }
  }
  table.values.assign(n, 0);
  std::vector<const Entry*> given(n, nullptr);
  for (const auto& e : entries) {
    const std::size_t i = table.index(e.at);
    if (given[i]) {
      problems.add(fmt::format("{}: the cell is given twice (first at {})", e.where, given[i]->where));
      continue;
    }
    given[i] = &e;
    bool is_leaf = true;
    for (std::size_t d = 0; d < e.at.size(); ++d) is_leaf = is_leaf && leaf[d][static_cast<std::size_t>(e.at[d])];
    if (!is_leaf) continue;
    // Every ancestor combination holds this leaf.
    std::vector<std::vector<int>> chains(e.at.size());
    for (std::size_t d = 0; d < e.at.size(); ++d) {
      for (int c = e.at[d]; c >= 0; c = table.dimensions[d].parents[static_cast<std::size_t>(c)])
        chains[d].push_back(c);
    }
    std::vector<std::size_t> pick(e.at.size(), 0);
    std::vector<int> at(e.at.size());
    for (;;) {
      for (std::size_t d = 0; d < at.size(); ++d) at[d] = chains[d][pick[d]];
      table.values[table.index(at)] += e.value;
      std::size_t d = at.size();
      while (d > 0 && ++pick[d - 1] == chains[d - 1].size()) pick[--d] = 0;
      if (d == 0) break;
    }
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (given[i] && given[i]->value != table.values[i]) {
      problems.add(fmt::format("{}: the margin is {} but its parts sum to {}", given[i]->where, given[i]->value,
                               table.values[i]));
    }
  }
  if (!problems.empty()) return tl::unexpected(problems.error());
  return table;
}

// Dimensions for CSV input: from their hierarchy files, else flat over the codes seen.
Result<std::vector<sdc::Dimension>> csv_dimensions(const TableSource& source,
                                                   const std::vector<std::vector<std::string>>& records,
                                                   const std::vector<std::size_t>& columns) {
  std::vector<sdc::Dimension> dims;
  for (std::size_t d = 0; d < source.dimensions.size(); ++d) {
    const auto file = std::find_if(source.hierarchies.begin(), source.hierarchies.end(),
                                   [&](const HierarchyFile& h) { return h.dimension == source.dimensions[d]; });
    if (file != source.hierarchies.end()) {
      ASSIGN_OR_RETURN(auto dim, read_hierarchy(source.dimensions[d], file->path, source.total_code));
      dims.push_back(std::move(dim));
      continue;
    }
    std::set<std::string> seen;
    for (std::size_t r = 1; r < records.size(); ++r) {
      if (columns[d] < records[r].size()) {
        const auto code = trim(records[r][columns[d]]);
        if (!code.empty() && code != source.total_code) seen.insert(code);
      }
    }
    std::vector<std::pair<std::string, std::string>> codes{{source.total_code, ""}};
    for (const auto& c : seen) codes.emplace_back(c, source.total_code);
    ASSIGN_OR_RETURN(auto dim, sdc::make_dimension(source.dimensions[d], codes));
    dims.push_back(std::move(dim));
  }
  for (const auto& h : source.hierarchies) {
    if (std::find(source.dimensions.begin(), source.dimensions.end(), h.dimension) == source.dimensions.end()) {
      return fail(
          ErrorCode::kInvalidArgument,
          fmt::format("{}: a hierarchy for '{}', which is not one of the dimensions", h.path.string(), h.dimension));
    }
  }
  return dims;
}

Result<OutsideTable> read_csv_table(const TableSource& source) {
  ASSIGN_OR_RETURN(const std::string text, slurp(source.path));
  const auto records = split_csv(text);
  const std::string file = source.path.filename().string();
  if (records.empty()) return fail(ErrorCode::kInvalidArgument, fmt::format("{}: empty file", file));
  if (source.dimensions.empty()) return fail(ErrorCode::kInvalidArgument, "name the table's dimensions (columns)");
  const bool micro = source.format == TableFormat::kMicrodata;
  std::vector<std::string> wanted = source.dimensions;
  if (!micro) wanted.push_back(source.value_column);
  std::vector<std::size_t> columns;
  for (const auto& name : wanted) {
    std::size_t c = 0;
    while (c < records[0].size() && trim(records[0][c]) != name) ++c;
    if (c == records[0].size()) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("{} row 1: no column '{}' in the header", file, name));
    }
    columns.push_back(c);
  }
  ASSIGN_OR_RETURN(auto dims, csv_dimensions(source, records, columns));
  std::vector<std::map<std::string, int>> position(dims.size());
  for (std::size_t d = 0; d < dims.size(); ++d) {
    for (std::size_t c = 0; c < dims[d].codes.size(); ++c) position[d][dims[d].codes[c]] = static_cast<int>(c);
  }
  Problems problems;
  std::vector<Entry> entries;
  std::map<std::vector<int>, std::size_t> micro_cell;
  for (std::size_t r = 1; r < records.size(); ++r) {
    const auto& record = records[r];
    if (record.empty() || (record.size() == 1 && trim(record[0]).empty())) continue;
    const std::string where = fmt::format("{} row {}", file, r + 1);
    Entry e{std::vector<int>(dims.size()), 1, where};
    bool good = true;
    for (std::size_t d = 0; d < dims.size(); ++d) {
      const std::string code = columns[d] < record.size() ? trim(record[columns[d]]) : "";
      const auto it = position[d].find(code);
      if (it == position[d].end()) {
        problems.add(fmt::format("{}, field '{}': code '{}' is not in its hierarchy", where, dims[d].name, code));
        good = false;
      } else if (micro && dims[d].parents.size() > 1 &&
                 std::find(dims[d].parents.begin(), dims[d].parents.end(), it->second) != dims[d].parents.end()) {
        problems.add(fmt::format("{}, field '{}': code '{}' is a total, not a category a unit can have", where,
                                 dims[d].name, code));
        good = false;
      } else {
        e.at[d] = it->second;
      }
    }
    if (!micro) {
      const std::string raw = columns.back() < record.size() ? record[columns.back()] : "";
      const auto v = parse_count(raw);
      if (!v) {
        problems.add(fmt::format("{}, field '{}': '{}' is not a whole non-negative count", where, source.value_column,
                                 trim(raw)));
        good = false;
      } else {
        e.value = *v;
      }
    }
    if (!good) continue;
    if (micro) {
      const auto [it, inserted] = micro_cell.emplace(e.at, entries.size());
      if (!inserted) {
        ++entries[it->second].value;
        continue;
      }
    }
    entries.push_back(std::move(e));
  }
  sdc::Table table{source.path.stem().string(), std::move(dims), {}};
  ASSIGN_OR_RETURN(auto filled, assemble(std::move(table), entries, problems));
  return OutsideTable{std::move(filled), std::nullopt, std::nullopt};
}

Result<OutsideTable> read_json_table(const TableSource& source) {
  ASSIGN_OR_RETURN(const std::string text, slurp(source.path));
  const std::string file = source.path.filename().string();
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: not JSON: {}", file, e.what()));
  }
  try {
    std::vector<sdc::Dimension> dims;
    for (const auto& d : json.at("dimensions")) {
      const auto name = d.at("name").get<std::string>();
      std::map<std::string, std::vector<std::string>> children;
      std::set<std::string> child_codes;
      for (const auto& [parent, kids] : d.at("hierarchy").items()) {
        children[parent] = kids.get<std::vector<std::string>>();
        child_codes.insert(children[parent].begin(), children[parent].end());
      }
      std::vector<std::string> roots;
      for (const auto& [parent, kids] : children) {
        if (!child_codes.count(parent)) roots.push_back(parent);
      }
      if (roots.size() != 1) {
        return fail(
            ErrorCode::kInvalidArgument,
            fmt::format("{}: dimension {}: the hierarchy has {} codes that are no one's child (one total expected)",
                        file, name, roots.size()));
      }
      ASSIGN_OR_RETURN(auto dim, from_children(name, roots.front(), children, file));
      dims.push_back(std::move(dim));
    }
    std::vector<std::map<std::string, int>> position(dims.size());
    for (std::size_t d = 0; d < dims.size(); ++d) {
      for (std::size_t c = 0; c < dims[d].codes.size(); ++c) position[d][dims[d].codes[c]] = static_cast<int>(c);
    }
    Problems problems;
    std::vector<Entry> entries;
    sdc::Table table{source.path.stem().string(), dims, {}};
    std::vector<sdc::Status> status(table.cell_count(), sdc::Status::kSafe);
    bool has_status = false;
    const auto& cells = json.at("cells");
    for (std::size_t k = 0; k < cells.size(); ++k) {
      const auto& cell = cells[k];
      const std::string where = fmt::format("{} cell {}", file, k + 1);
      Entry e{std::vector<int>(dims.size()), 0, where};
      bool good = true;
      const auto& key = cell.at("key");
      if (key.size() != dims.size()) {
        problems.add(fmt::format("{}, field 'key': {} codes for {} dimensions", where, key.size(), dims.size()));
        continue;
      }
      for (std::size_t d = 0; d < dims.size(); ++d) {
        const auto code = key[d].is_string() ? key[d].get<std::string>() : key[d].dump();
        const auto it = position[d].find(code);
        if (it == position[d].end()) {
          problems.add(fmt::format("{}, field 'key': code '{}' is not in dimension {}", where, code, dims[d].name));
          good = false;
        } else {
          e.at[d] = it->second;
        }
      }
      const auto& value = cell.contains("true") ? cell["true"] : cell.value("value", nlohmann::json());
      if (!value.is_number_integer() || value.get<std::int64_t>() < 0) {
        problems.add(fmt::format("{}, field 'true': not a whole non-negative count", where));
        good = false;
      } else {
        e.value = value.get<std::int64_t>();
      }
      if (!good) continue;
      if (cell.contains("status")) {
        has_status = true;
        const auto s = cell["status"].get<std::string>();
        status[table.index(e.at)] = s == "primary"     ? sdc::Status::kPrimary
                                    : s == "secondary" ? sdc::Status::kSecondary
                                                       : sdc::Status::kSafe;
      }
      entries.push_back(std::move(e));
    }
    ASSIGN_OR_RETURN(auto filled, assemble(std::move(table), entries, problems));
    OutsideTable out{std::move(filled), std::nullopt, std::nullopt};
    if (has_status) out.status = std::move(status);
    if (json.contains("protection")) {
      const auto& p = json["protection"];
      sdc::Rule rule;
      // The shared files' min_frequency is the largest unsafe count ("cells 1..3" is 3).
      rule.min_frequency = p.value("min_frequency", std::int64_t{9}) + 1;
      rule.protection_percent = p.value("percent", 30.0);
      rule.min_level = p.value("min_level", std::int64_t{1});
      const auto suppressed_min = json.contains("attacker") ? json["attacker"].value("suppressed_min", 1) : 1;
      rule.zeros = suppressed_min >= 1 ? sdc::ZeroCells::kSafe : sdc::ZeroCells::kSecondary;
      out.rule = rule;
    }
    return out;
  } catch (const nlohmann::json::exception& e) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("{}: not the table format of data/sdc/README.md: {}", file, e.what()));
  }
}

}  // namespace

Result<sdc::Dimension> read_hierarchy(const std::string& name, const std::filesystem::path& path,
                                      const std::string& total_code) {
  if (path.extension() == ".toml") return read_toml_hierarchy(name, path);
  return read_hrc(name, path, total_code);
}

Result<OutsideTable> read_table(const TableSource& source) {
  if (source.format == TableFormat::kJson) return read_json_table(source);
  return read_csv_table(source);
}

}  // namespace rapporteur::app
