// The table explorer's views of a published table: choosing, permalinks and the visible grid.
#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/csv.h"
#include "web/internal/explorer.h"
#include "web/internal/labels.h"

namespace rapporteur::web::internal {
namespace {

using nlohmann::json;

std::string get(const Parameters& parameters, std::string_view name) {
  for (const auto& [key, value] : parameters) {
    if (key == name) return value;
  }
  return "";
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> parts;
  std::size_t at = 0;
  while (at <= text.size()) {
    const std::size_t end = std::min(text.find(',', at), text.size());
    if (end > at) parts.emplace_back(text.substr(at, end - at));
    at = end + 1;
  }
  return parts;
}

struct Defaults {
  std::size_t rows = 0;
  std::optional<std::size_t> columns;
  int depth = 0;
};

int default_depth(const PublishedTable::Dimension& d) { return d.max_depth >= 2 ? 1 : d.max_depth; }

Defaults defaults_of(const PublishedTable& table) {
  Defaults out;
  const auto year = table.dimension("year");
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    if (d != year) {
      out.rows = d;
      break;
    }
  }
  if (year && *year != out.rows) out.columns = year;
  out.depth = default_depth(table.dimensions[out.rows]);
  return out;
}

std::string label_text(Language language, const PublishedTable::Dimension& d, std::size_t code) {
  return dimension_code_label(language, d.name, d.codes[code].code, d.codes[code].label);
}

}  // namespace

std::optional<std::size_t> PublishedTable::Dimension::find(std::string_view code) const {
  for (std::size_t i = 0; i < codes.size(); ++i) {
    if (codes[i].code == code) return i;
  }
  return std::nullopt;
}

std::optional<std::size_t> PublishedTable::dimension(std::string_view wanted) const {
  for (std::size_t d = 0; d < dimensions.size(); ++d) {
    if (dimensions[d].name == wanted) return d;
  }
  return std::nullopt;
}

Result<PublishedTable> parse_published_table(std::string_view json_text) {
  const json root = json::parse(json_text, nullptr, false);
  const auto bad = [](const std::string& why) { return fail(ErrorCode::kInvalidArgument, "published table: " + why); };
  if (root.is_discarded() || !root.is_object()) return bad("not a JSON object");
  if (!root.contains("dimensions") || !root["dimensions"].is_array() || root["dimensions"].empty()) {
    return bad("no dimensions");
  }
  if (!root.contains("cells") || !root["cells"].is_array()) return bad("no cells");
  PublishedTable table;
  table.name = root.value("name", "");
  table.title = root.value("title", table.name);
  table.title_en = root.value("title_en", table.title);
  table.date = root.value("date", "");
  table.method = root.value("method", "suppression");
  table.mandate = root.value("mandate", "");
  table.role = root.value("role", "");
  for (const auto& s : root.value("sources", json::array())) {
    if (s.is_string()) table.sources.push_back(s.get<std::string>());
  }
  for (const auto& f : root.value("footnotes", json::array())) {
    if (f.is_string()) table.footnotes.push_back(f.get<std::string>());
  }
  if (root.contains("rule") && root["rule"].is_object()) {
    table.min_frequency = root["rule"].value("min_frequency", std::int64_t{0});
    table.protection_percent = root["rule"].value("protection_percent", 0.0);
  }
  for (const auto& d : root["dimensions"]) {
    PublishedTable::Dimension dimension;
    dimension.name = d.value("name", "");
    if (dimension.name.empty() || !d.contains("codes") || !d["codes"].is_array() || d["codes"].empty()) {
      return bad(fmt::format("dimension '{}' has no name or no codes", dimension.name));
    }
    for (const auto& c : d["codes"]) {
      PublishedTable::Code code;
      code.code = c.value("code", "");
      code.label = c.value("label", code.code);
      if (c.contains("parent") && c["parent"].is_string()) code.parent = c["parent"].get<std::string>();
      if (!code.parent.empty()) {
        const auto parent = dimension.find(code.parent);
        if (!parent)
          return bad(fmt::format("dimension '{}': code '{}' comes before its parent '{}'", dimension.name, code.code,
                                 code.parent));
        dimension.codes[*parent].has_children = true;
        code.depth = dimension.codes[*parent].depth + 1;
      } else if (!dimension.codes.empty()) {
        return bad(fmt::format("dimension '{}': a second root '{}'", dimension.name, code.code));
      }
      dimension.max_depth = std::max(dimension.max_depth, code.depth);
      dimension.codes.push_back(std::move(code));
    }
    table.dimensions.push_back(std::move(dimension));
  }
  for (const auto& cell : root["cells"]) {
    if (!cell.contains("key") || !cell["key"].is_array() || cell["key"].size() != table.dimensions.size()) {
      return bad("a cell's key does not have one code per dimension");
    }
    std::vector<std::string> key;
    for (const auto& k : cell["key"]) key.push_back(k.is_string() ? k.get<std::string>() : k.dump());
    PublishedTable::Cell value;
    if (cell.contains("value") && cell["value"].is_number_integer()) value.value = cell["value"].get<std::int64_t>();
    value.status = cell.value("status", value.value ? "safe" : "primary");
    table.cells.emplace(std::move(key), std::move(value));
  }
  return table;
}

bool ExplorerView::expanded(const PublishedTable& table, std::size_t index) const {
  const auto& code = table.dimensions[rows].codes[index];
  if (!code.has_children) return false;
  return (code.depth < depth) != (toggled.count(code.code) > 0);
}

ExplorerView choose_view(const PublishedTable& table, const Parameters& parameters) {
  const Defaults defaults = defaults_of(table);
  ExplorerView view;
  view.rows = table.dimension(get(parameters, "rows")).value_or(defaults.rows);
  const std::string cols = get(parameters, "cols");
  if (cols == "none") {
    view.columns.reset();
  } else if (const auto chosen = table.dimension(cols); chosen && *chosen != view.rows) {
    view.columns = chosen;
  } else if (defaults.columns && *defaults.columns != view.rows) {
    view.columns = defaults.columns;
  } else if (view.rows != defaults.rows) {
    view.columns = defaults.rows;  // Rows and columns swapped.
  }
  view.filter.assign(table.dimensions.size(), 0);
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    view.filter[d] = table.dimensions[d].find(get(parameters, table.dimensions[d].name)).value_or(0);
  }
  const auto& rows = table.dimensions[view.rows];
  const std::string depth = get(parameters, "depth");
  view.depth = depth.size() == 1 && depth[0] >= '0' && depth[0] <= '9' ? std::min(depth[0] - '0', rows.max_depth)
                                                                       : default_depth(rows);
  for (const auto& code : split_commas(get(parameters, "open"))) {
    if (const auto found = rows.find(code); found && rows.codes[*found].has_children) view.toggled.insert(code);
  }
  return view;
}

std::string view_query(const PublishedTable& table, const ExplorerView& view, std::string_view lang,
                       std::optional<std::string_view> toggle) {
  const Defaults defaults = defaults_of(table);
  std::vector<std::pair<std::string, std::string>> parts;
  parts.emplace_back("lang", std::string(lang));
  if (view.rows != defaults.rows) parts.emplace_back("rows", table.dimensions[view.rows].name);
  Parameters as_chosen = {{"rows", table.dimensions[view.rows].name}};
  const ExplorerView implied = choose_view(table, as_chosen);
  if (view.columns != implied.columns) {
    parts.emplace_back("cols", view.columns ? table.dimensions[*view.columns].name : "none");
  }
  if (view.depth != implied.depth) parts.emplace_back("depth", std::to_string(view.depth));
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    if (view.filter[d] != 0)
      parts.emplace_back(table.dimensions[d].name, table.dimensions[d].codes[view.filter[d]].code);
  }
  std::set<std::string> toggled = view.toggled;
  if (toggle) {
    const std::string code(*toggle);
    if (!toggled.erase(code)) toggled.insert(code);
  }
  std::string open;
  for (const auto& code : table.dimensions[view.rows].codes) {  // Hierarchy order, for stable links.
    if (toggled.count(code.code)) open += (open.empty() ? "" : ",") + code.code;
  }
  if (!open.empty()) parts.emplace_back("open", open);
  std::string query;
  for (const auto& [key, value] : parts) {
    query += (query.empty() ? "" : "&") + url_encode(key) + "=" + url_encode(value);
  }
  return query;
}

Grid make_grid(const PublishedTable& table, const ExplorerView& view) {
  Grid grid;
  if (view.columns) {
    const auto& codes = table.dimensions[*view.columns].codes;
    for (std::size_t i = 1; i < codes.size(); ++i) {
      if (codes[i].depth == 1) grid.columns.push_back(i);
    }
    grid.columns.push_back(0);
  }
  const auto& rows = table.dimensions[view.rows];
  std::vector<bool> visible(rows.codes.size(), false);
  std::vector<std::string> key(table.dimensions.size());
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) key[d] = table.dimensions[d].codes[view.filter[d]].code;
  for (std::size_t i = 0; i < rows.codes.size(); ++i) {
    const auto& code = rows.codes[i];
    if (!code.parent.empty()) {
      const std::size_t parent = *rows.find(code.parent);
      if (!visible[parent] || !view.expanded(table, parent)) continue;
    }
    visible[i] = true;
    Grid::Row row;
    row.code = i;
    row.expandable = code.has_children;
    row.expanded = view.expanded(table, i);
    key[view.rows] = code.code;
    const auto read = [&] {
      const auto found = table.cells.find(key);
      const PublishedTable::Cell* cell = found == table.cells.end() ? nullptr : &found->second;
      if (cell != nullptr) {
        grid.has_primary = grid.has_primary || cell->status == "primary";
        grid.has_secondary = grid.has_secondary || cell->status == "secondary";
        grid.has_perturbed = grid.has_perturbed || cell->status == "perturbed";
      }
      row.cells.push_back(cell);
    };
    if (view.columns) {
      for (const std::size_t c : grid.columns) {
        key[*view.columns] = table.dimensions[*view.columns].codes[c].code;
        read();
      }
    } else {
      read();
    }
    grid.rows.push_back(std::move(row));
  }
  return grid;
}

std::string grid_csv(Language language, const PublishedTable& table, const ExplorerView& view, const Grid& grid) {
  const auto& rows = table.dimensions[view.rows];
  std::string out =
      csv_field(dimension_name(language, rows.name) + (language == Language::kDutch ? " (niveau)" : " (level)")) + "," +
      csv_field(dimension_name(language, rows.name));
  if (view.columns) {
    const auto& cols = table.dimensions[*view.columns];
    for (const std::size_t c : grid.columns) out += "," + csv_field(label_text(language, cols, c));
  } else {
    out += "," + csv_field(language == Language::kDutch ? "aantal" : "count");
  }
  out += "\n";
  for (const auto& row : grid.rows) {
    const int depth = rows.codes[row.code].depth;
    const std::string level = level_name(language, rows.name, depth, rows.codes[row.code].code);
    out += csv_field(rows.name == "region" ? level : std::to_string(depth)) + "," +
           csv_field(label_text(language, rows, row.code));
    for (const auto* cell : row.cells) {
      out += ",";
      if (cell == nullptr) continue;
      out += cell->value ? std::to_string(*cell->value) : "x";
    }
    out += "\n";
  }
  return out;
}

std::string grid_json(Language language, const PublishedTable& table, const ExplorerView& view, const Grid& grid) {
  const auto& rows = table.dimensions[view.rows];
  json filters = json::object();
  for (std::size_t d = 0; d < table.dimensions.size(); ++d) {
    if (d == view.rows || (view.columns && d == *view.columns)) continue;
    filters[table.dimensions[d].name] = {{"code", table.dimensions[d].codes[view.filter[d]].code},
                                         {"label", label_text(language, table.dimensions[d], view.filter[d])}};
  }
  json columns = json::array();
  if (view.columns) {
    for (const std::size_t c : grid.columns) {
      columns.push_back({{"code", table.dimensions[*view.columns].codes[c].code},
                         {"label", label_text(language, table.dimensions[*view.columns], c)}});
    }
  }
  json body = json::array();
  for (const auto& row : grid.rows) {
    json values = json::array();
    json statuses = json::array();
    for (const auto* cell : row.cells) {
      values.push_back(cell != nullptr && cell->value ? json(*cell->value) : json(nullptr));
      statuses.push_back(cell != nullptr ? json(cell->status) : json(nullptr));
    }
    body.push_back({{"code", rows.codes[row.code].code},
                    {"label", label_text(language, rows, row.code)},
                    {"depth", rows.codes[row.code].depth},
                    {"level", level_name(language, rows.name, rows.codes[row.code].depth, rows.codes[row.code].code)},
                    {"values", values},
                    {"status", statuses}});
  }
  return json{
      {"table", table.name}, {"title", language == Language::kDutch ? table.title : table.title_en},
      {"rows", rows.name},   {"columns", view.columns ? json(table.dimensions[*view.columns].name) : json(nullptr)},
      {"filters", filters},  {"column_codes", columns},
      {"data", body}}
      .dump(2);
}

}  // namespace rapporteur::web::internal
