// Writing tables out: the published JSON, CSV and XLSX of a protected table, the review CSV
// of a protection, and a plain sheet as XLSX (the explorer's download).
#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>
#include <xlsxwriter.h>
#include <nlohmann/json.hpp>

#include "core/csv.h"
#include "core/time.h"
#include "tables/tables.h"

namespace rapporteur::tables {

Result<void> write_sheet_xlsx(const std::filesystem::path& path, const std::string& sheet,
                              const std::vector<std::vector<SheetCell>>& rows, const std::vector<std::string>& notes) {
  lxw_workbook* workbook = workbook_new(path.string().c_str());
  if (!workbook) return fail(ErrorCode::kIo, fmt::format("{}: cannot create workbook", path.string()));
  lxw_worksheet* cells = workbook_add_worksheet(workbook, sheet.substr(0, 31).c_str());
  lxw_worksheet* meta = workbook_add_worksheet(workbook, "Toelichting");
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  for (std::size_t r = 0; r < rows.size(); ++r) {
    for (std::size_t c = 0; c < rows[r].size(); ++c) {
      const auto row = static_cast<lxw_row_t>(r);
      const auto col = static_cast<lxw_col_t>(c);
      if (rows[r][c].number)
        worksheet_write_number(cells, row, col, *rows[r][c].number, r == 0 ? bold : nullptr);
      else
        worksheet_write_string(cells, row, col, rows[r][c].text.c_str(), r == 0 ? bold : nullptr);
    }
  }
  for (std::size_t r = 0; r < notes.size(); ++r)
    worksheet_write_string(meta, static_cast<lxw_row_t>(r), 0, notes[r].c_str(), nullptr);
  if (workbook_close(workbook) != LXW_NO_ERROR)
    return fail(ErrorCode::kIo, fmt::format("{}: cannot write workbook", path.string()));
  return {};
}

std::string to_json(const BuiltTable& table, const std::vector<sdc::Status>& status,
                    const std::vector<std::optional<std::int64_t>>& shown, const std::string& date) {
  nlohmann::json out;
  const auto& spec = table.spec;
  out["name"] = spec.name;
  out["title"] = spec.title;
  out["title_en"] = spec.title_en;
  out["mandate"] = std::string(to_code(spec.mandate));
  out["role"] = std::string(to_code(spec.role));
  out["unit"] = "persons (linked across sources, counted once per year)";
  out["years"] = {spec.first_year, spec.last_year};
  out["sources"] = table.sources;
  out["date"] = date.empty() ? utc_today() : date;
  out["footnotes"] = spec.footnotes;
  out["protected"] = !shown.empty();
  out["method"] = spec.method == Method::kSuppression ? "suppression" : "cell_key";
  out["rule"] = {{"min_frequency", spec.rule.min_frequency},
                 {"protection_percent", spec.rule.protection_percent},
                 {"min_level", spec.rule.min_level},
                 {"zeros", spec.rule.zeros == sdc::ZeroCells::kSafe        ? "safe"
                           : spec.rule.zeros == sdc::ZeroCells::kSecondary ? "secondary"
                                                                           : "unsafe"},
                 {"symbol", "x"}};
  nlohmann::json dims = nlohmann::json::array();
  for (const auto& d : table.table.dimensions) {
    nlohmann::json codes = nlohmann::json::array();
    for (std::size_t c = 0; c < d.codes.size(); ++c) {
      codes.push_back({{"code", d.codes[c]},
                       {"parent", d.parents[c] < 0 ? nlohmann::json(nullptr)
                                                   : nlohmann::json(d.codes[static_cast<std::size_t>(d.parents[c])])},
                       {"label", d.labels[c]}});
    }
    dims.push_back({{"name", d.name}, {"codes", codes}});
  }
  out["dimensions"] = dims;
  nlohmann::json cells = nlohmann::json::array();
  for (std::size_t i = 0; i < table.table.values.size(); ++i) {
    const auto at = table.table.positions(i);
    nlohmann::json key = nlohmann::json::array();
    for (std::size_t d = 0; d < at.size(); ++d)
      key.push_back(table.table.dimensions[d].codes[static_cast<std::size_t>(at[d])]);
    nlohmann::json value = shown.empty() ? nlohmann::json(table.table.values[i])
                           : shown[i]    ? nlohmann::json(*shown[i])
                                         : nlohmann::json(nullptr);
    cells.push_back({{"key", key}, {"value", value}, {"status", std::string(sdc::to_code(status[i]))}});
  }
  out["cells"] = cells;
  return out.dump(1);
}

namespace {

// A bound as the review shows it: whole units, "inf" when unbounded.
std::string bound(double value) {
  if (!std::isfinite(value)) return value > 0 ? "inf" : "-inf";
  return fmt::format("{}", std::round(value * 1000) / 1000);
}

}  // namespace

std::string to_review_csv(const ProtectionReport& report) {
  std::map<std::pair<std::size_t, std::size_t>, const sdc::CellAudit*> audited;
  for (const auto& c : report.audit.cells) audited[{c.table, c.cell}] = &c;
  std::size_t depth = 0;
  for (const auto& t : report.tables) depth = std::max(depth, t.built.table.dimensions.size());
  std::string out = "table";
  for (std::size_t d = 0; d < depth; ++d) out += fmt::format(",dimension_{0},code_{0},label_{0}", d + 1);
  out += ",value,status,reason,audit_low,audit_high,required_low,required_high,audit_problem\n";
  for (std::size_t t = 0; t < report.tables.size(); ++t) {
    const auto& table = report.tables[t].built.table;
    const auto& rule = report.tables[t].built.spec.rule;
    for (std::size_t i = 0; i < table.values.size(); ++i) {
      const auto at = table.positions(i);
      out += csv_field(report.tables[t].built.spec.name);
      for (std::size_t d = 0; d < depth; ++d) {
        if (d >= at.size()) {
          out += ",,,";
          continue;
        }
        const auto c = static_cast<std::size_t>(at[d]);
        out += "," + csv_field(table.dimensions[d].name) + "," + csv_field(table.dimensions[d].codes[c]) + "," +
               csv_field(table.dimensions[d].labels[c]);
      }
      const std::int64_t value = table.values[i];
      const sdc::Status status = report.tables[t].status[i];
      std::string reason;
      switch (status) {
        case sdc::Status::kSafe:
          break;
        case sdc::Status::kPrimary:
          reason = value == 0 ? "empty cell; zeros are unsafe under this rule"
                              : fmt::format("{} below the minimum frequency {}", value, rule.min_frequency);
          break;
        case sdc::Status::kSecondary:
          reason = "suppressed to protect other cells";
          break;
        case sdc::Status::kForced:
          reason = "suppressed by the table definition";
          break;
      }
      out += fmt::format(",{},{},{}", value, sdc::to_code(status), csv_field(reason));
      const auto found = audited.find({t, i});
      if (found == audited.end()) {
        out += ",,,,,\n";
        continue;
      }
      const sdc::CellAudit& a = *found->second;
      std::string required_low;
      std::string required_high;
      if (status == sdc::Status::kPrimary) {
        const std::int64_t level = sdc::protection_level(rule, value);
        required_low = bound(std::max(a.floor, static_cast<double>(value - level)));
        required_high = bound(static_cast<double>(value + level));
      }
      out += fmt::format(",{},{},{},{},{}\n", bound(a.low), bound(a.high), required_low, required_high,
                         csv_field(a.problem));
    }
  }
  return out;
}

std::string to_csv(const BuiltTable& table, const std::vector<sdc::Status>& status,
                   const std::vector<std::optional<std::int64_t>>& shown) {
  std::string out;
  for (const auto& d : table.table.dimensions) out += d.name + "," + d.name + "_label,";
  out += "value,status\n";
  for (std::size_t i = 0; i < table.table.values.size(); ++i) {
    const auto at = table.table.positions(i);
    for (std::size_t d = 0; d < at.size(); ++d) {
      const auto c = static_cast<std::size_t>(at[d]);
      out += csv_field(table.table.dimensions[d].codes[c]) + "," + csv_field(table.table.dimensions[d].labels[c]) + ",";
    }
    const std::string value = shown.empty() ? std::to_string(table.table.values[i])
                              : shown[i]    ? std::to_string(*shown[i])
                                            : "x";
    out += value + "," + std::string(sdc::to_code(status[i])) + "\n";
  }
  return out;
}

Result<void> write_xlsx(const std::filesystem::path& path, const BuiltTable& table,
                        const std::vector<sdc::Status>& status, const std::vector<std::optional<std::int64_t>>& shown,
                        const std::string& date) {
  lxw_workbook* workbook = workbook_new(path.string().c_str());
  if (!workbook) return fail(ErrorCode::kIo, fmt::format("{}: cannot create workbook", path.string()));
  // Dated by the publication, not the clock: libxlsxwriter also stamps the archive's entries
  // with this time, so the same table gives the same bytes when published again.
  const std::string day = date.empty() ? utc_today() : date;
  std::tm tm{};
  if (std::sscanf(day.c_str(), "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) == 3) {
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    lxw_doc_properties properties{};
    properties.created = timegm(&tm);
    workbook_set_properties(workbook, &properties);
  }
  lxw_worksheet* cells = workbook_add_worksheet(workbook, "Tabel");
  lxw_worksheet* meta = workbook_add_worksheet(workbook, "Toelichting");
  lxw_format* bold = workbook_add_format(workbook);
  format_set_bold(bold);
  lxw_col_t col = 0;
  for (const auto& d : table.table.dimensions) {
    worksheet_write_string(cells, 0, col++, d.name.c_str(), bold);
    worksheet_write_string(cells, 0, col++, (d.name + " (omschrijving)").c_str(), bold);
  }
  worksheet_write_string(cells, 0, col++, "aantal", bold);
  worksheet_write_string(cells, 0, col, "status", bold);
  for (std::size_t i = 0; i < table.table.values.size(); ++i) {
    const auto row = static_cast<lxw_row_t>(i + 1);
    const auto at = table.table.positions(i);
    col = 0;
    for (std::size_t d = 0; d < at.size(); ++d) {
      const auto c = static_cast<std::size_t>(at[d]);
      worksheet_write_string(cells, row, col++, table.table.dimensions[d].codes[c].c_str(), nullptr);
      worksheet_write_string(cells, row, col++, table.table.dimensions[d].labels[c].c_str(), nullptr);
    }
    const bool hidden = !shown.empty() && !shown[i];
    if (hidden)
      worksheet_write_string(cells, row, col++, "x", nullptr);
    else
      worksheet_write_number(cells, row, col++, static_cast<double>(shown.empty() ? table.table.values[i] : *shown[i]),
                             nullptr);
    worksheet_write_string(cells, row, col, std::string(sdc::to_code(status[i])).c_str(), nullptr);
  }
  const std::vector<std::pair<std::string, std::string>> rows{
      {"Titel", table.spec.title},
      {"Title", table.spec.title_en},
      {"Eenheid", "personen (gekoppeld over bronnen, eenmaal per jaar geteld)"},
      {"Bronnen", fmt::format("{}", fmt::join(table.sources, ", "))},
      {"Beveiliging", fmt::format("minimumfrequentie {}; 'x' = onderdrukt", table.spec.rule.min_frequency)},
      {"Datum", date.empty() ? utc_today() : date}};
  lxw_row_t r = 0;
  for (const auto& [k, v] : rows) {
    worksheet_write_string(meta, r, 0, k.c_str(), bold);
    worksheet_write_string(meta, r++, 1, v.c_str(), nullptr);
  }
  for (const auto& f : table.spec.footnotes) worksheet_write_string(meta, r++, 1, f.c_str(), nullptr);
  if (workbook_close(workbook) != LXW_NO_ERROR)
    return fail(ErrorCode::kIo, fmt::format("{}: cannot write workbook", path.string()));
  return ok();
}

}  // namespace rapporteur::tables
