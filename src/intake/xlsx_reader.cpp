// XLSX reading with libzip (the package) and pugixml (the sheet XML).
#include <zip.h>

#include <array>
#include <map>

#include <fmt/format.h>
#include <pugixml.hpp>

#include "intake/internal/tables.h"

namespace rapporteur::intake::internal {
namespace {

struct ZipArchive {
  zip_t* archive = nullptr;
  ~ZipArchive() {
    if (archive) zip_discard(archive);
  }
};

// The most one part of a workbook may inflate to: a sheet of a million rows is a few hundred
// MiB of XML.
constexpr std::size_t kMaxPartBytes = std::size_t{1} << 30;

Result<std::string> read_entry(zip_t* archive, const std::string& name) {
  zip_stat_t info;
  zip_stat_init(&info);
  if (zip_stat(archive, name.c_str(), 0, &info) != 0) {
    return fail(ErrorCode::kNotFound, fmt::format("no '{}' in the workbook", name));
  }
  zip_file_t* file = zip_fopen(archive, name.c_str(), 0);
  if (!file) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("cannot read '{}' in the workbook", name));
  }
  // Read as it inflates, never trusting the size the archive declares: a damaged or hostile
  // workbook may claim gigabytes (found by fuzzing: a 1.4 KB file made the reader allocate
  // what its directory claimed), or inflate far beyond its size (a decompression bomb).
  std::string bytes;
  std::array<char, 1 << 16> chunk;
  for (;;) {
    const zip_int64_t read = zip_fread(file, chunk.data(), chunk.size());
    if (read < 0) {
      zip_fclose(file);
      return fail(ErrorCode::kInvalidArgument, fmt::format("'{}' in the workbook is damaged", name));
    }
    if (read == 0) break;
    if (bytes.size() + static_cast<std::size_t>(read) > kMaxPartBytes) {
      zip_fclose(file);
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("'{}' in the workbook inflates to more than {} MiB", name, kMaxPartBytes >> 20));
    }
    bytes.append(chunk.data(), static_cast<std::size_t>(read));
  }
  zip_fclose(file);
  if ((info.valid & ZIP_STAT_SIZE) != 0 && bytes.size() != info.size) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("'{}' in the workbook is damaged", name));
  }
  return bytes;
}

// "B12" -> column index 1.
int column_index(std::string_view reference) {
  int index = 0;
  for (const char c : reference) {
    if (c < 'A' || c > 'Z') break;
    index = index * 26 + (c - 'A' + 1);
  }
  return index - 1;
}

std::string text_of(const pugi::xml_node& node) {
  // Rich text runs (<r><t>) and plain <t> both count.
  std::string text;
  for (const auto& t : node.select_nodes(".//*[local-name()='t']")) {
    text += t.node().text().get();
  }
  return text;
}

class XlsxReader final : public RowReader {
 public:
  Result<void> load(const std::filesystem::path& path, const std::string& sheet) {
    int error = 0;
    ZipArchive zip;
    zip.archive = zip_open(path.c_str(), ZIP_RDONLY, &error);
    if (!zip.archive) {
      return fail(ErrorCode::kInvalidArgument, "not an XLSX workbook (not a zip archive)");
    }
    ASSIGN_OR_RETURN(const std::string workbook_xml, read_entry(zip.archive, "xl/workbook.xml"));
    ASSIGN_OR_RETURN(const std::string rels_xml, read_entry(zip.archive, "xl/_rels/workbook.xml.rels"));
    pugi::xml_document workbook;
    pugi::xml_document rels;
    if (!workbook.load_string(workbook_xml.c_str()) || !rels.load_string(rels_xml.c_str())) {
      return fail(ErrorCode::kInvalidArgument, "the workbook's index is not valid XML");
    }
    std::string relation;
    std::vector<std::string> names;
    for (const auto& node : workbook.select_nodes("//*[local-name()='sheet']")) {
      const std::string name = node.node().attribute("name").value();
      names.push_back(name);
      if (relation.empty() && (sheet.empty() || name == sheet)) {
        relation = node.node().attribute("r:id").value();
        sheet_ = name;
      }
    }
    if (relation.empty()) {
      std::string available;
      for (const auto& n : names) available += (available.empty() ? "'" : ", '") + n + "'";
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("no sheet '{}' in the workbook; it has {}", sheet, available));
    }
    std::string target;
    for (const auto& node : rels.select_nodes("//*[local-name()='Relationship']")) {
      if (relation == node.node().attribute("Id").value()) target = node.node().attribute("Target").value();
    }
    if (target.starts_with("/"))
      target = target.substr(1);
    else
      target = "xl/" + target;
    if (auto shared = read_entry(zip.archive, "xl/sharedStrings.xml")) {
      pugi::xml_document strings;
      if (!strings.load_string(shared->c_str())) {
        return fail(ErrorCode::kInvalidArgument, "the workbook's shared strings are not valid XML");
      }
      for (const auto& si : strings.select_nodes("//*[local-name()='si']")) {
        shared_.push_back(text_of(si.node()));
      }
    }
    ASSIGN_OR_RETURN(const std::string sheet_xml, read_entry(zip.archive, target));
    if (!document_.load_string(sheet_xml.c_str())) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("sheet '{}' is not valid XML", sheet_));
    }
    for (const auto& row : document_.select_nodes("//*[local-name()='sheetData']/*[local-name()='row']")) {
      rows_.push_back(row.node());
    }
    Row header;
    ASSIGN_OR_RETURN(const bool found, next(header));
    if (!found) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("sheet '{}' is empty: no header row", sheet_));
    }
    header_ = std::move(header.fields);
    return ok();
  }

  const std::vector<std::string>& header() const override { return header_; }

  Result<bool> next(Row& row) override {
    while (index_ < rows_.size()) {
      const pugi::xml_node node = rows_[index_++];
      row.number = node.attribute("r").as_int(static_cast<int>(index_));
      row.fields.clear();
      bool any = false;
      for (const pugi::xml_node cell : node.children()) {
        const std::string_view element = cell.name();
        if (element != "c" && !element.ends_with(":c")) continue;
        const int column = column_index(cell.attribute("r").value());
        if (column < 0) continue;
        if (static_cast<std::size_t>(column) >= row.fields.size()) row.fields.resize(column + 1);
        const std::string type = cell.attribute("t").value();
        std::string value;
        if (type == "s") {
          const int shared = cell.child("v").text().as_int(-1);
          if (shared < 0 || static_cast<std::size_t>(shared) >= shared_.size()) {
            return fail(ErrorCode::kInvalidArgument, fmt::format("row {}: cell {} points at a missing shared string",
                                                                 row.number, cell.attribute("r").value()));
          }
          value = shared_[shared];
        } else if (type == "inlineStr") {
          value = text_of(cell);
        } else {
          value = cell.child("v").text().get();
        }
        if (!value.empty()) any = true;
        row.fields[column] = std::move(value);
      }
      if (any) return true;
    }
    return false;
  }

  double progress() const override {
    return rows_.empty() ? 1.0 : static_cast<double>(index_) / static_cast<double>(rows_.size());
  }
  std::string describe() const override { return fmt::format("xlsx, sheet '{}'", sheet_); }

 private:
  pugi::xml_document document_;
  std::vector<pugi::xml_node> rows_;
  std::vector<std::string> shared_;
  std::vector<std::string> header_;
  std::string sheet_;
  std::size_t index_ = 0;
};

}  // namespace

Result<std::unique_ptr<RowReader>> open_xlsx(const std::filesystem::path& path, const std::string& sheet) {
  auto reader = std::make_unique<XlsxReader>();
  if (auto loaded = reader->load(path, sheet); !loaded) {
    return fail(loaded.error().code == ErrorCode::kNotFound ? ErrorCode::kInvalidArgument : loaded.error().code,
                fmt::format("{}: {}", path.string(), loaded.error().message));
  }
  return std::unique_ptr<RowReader>(std::move(reader));
}

}  // namespace rapporteur::intake::internal
