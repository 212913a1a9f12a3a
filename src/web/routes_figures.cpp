// Public routes of the published tables: the list, the explorer's pages and its downloads of
// a view, the whole tables' downloads and their JSON.
#include <charconv>

#include "tables/tables.h"
#include "web/internal/labels.h"
#include "web/internal/map_page.h"
#include "web/internal/server_impl.h"

namespace rapporteur::web {

using nlohmann::json;

namespace {

// The view as a workbook. libxlsxwriter writes only to files: a temporary one (published
// figures only, nothing identifying), read back and removed.
Result<std::string> grid_xlsx(internal::Language language, const internal::PublishedTable& table,
                              const internal::ExplorerView& view, const internal::Grid& grid) {
  const bool dutch = language == internal::Language::kDutch;
  const auto& rows = table.dimensions[view.rows];
  std::vector<std::vector<tables::SheetCell>> sheet;
  std::vector<tables::SheetCell> head = {{std::nullopt, internal::dimension_name(language, rows.name)}};
  if (view.columns) {
    const auto& columns = table.dimensions[*view.columns];
    for (const std::size_t c : grid.columns) {
      head.push_back({std::nullopt, internal::dimension_code_label(language, columns.name, columns.codes[c].code,
                                                                   columns.codes[c].label)});
    }
  } else {
    head.push_back({std::nullopt, dutch ? "aantal" : "count"});
  }
  sheet.push_back(std::move(head));
  for (const auto& row : grid.rows) {
    const auto& code = rows.codes[row.code];
    // The hierarchy as indentation, as on the page.
    std::vector<tables::SheetCell> line = {
        {std::nullopt, std::string(static_cast<std::size_t>(2 * code.depth), ' ') +
                           internal::dimension_code_label(language, rows.name, code.code, code.label)}};
    for (const auto* cell : row.cells) {
      if (cell == nullptr)
        line.push_back({std::nullopt, ""});
      else if (cell->value)
        line.push_back({static_cast<double>(*cell->value), ""});
      else
        line.push_back({std::nullopt, "x"});
    }
    sheet.push_back(std::move(line));
  }
  std::vector<std::string> notes = {
      dutch ? table.title : table.title_en,
      dutch ? "x = onderdrukt om onthulling te voorkomen" : "x = suppressed to prevent disclosure"};
  if (dutch) notes.insert(notes.end(), table.footnotes.begin(), table.footnotes.end());
  const auto path =
      std::filesystem::temp_directory_path() / ("rapporteur-view-" + auth::random_token().substr(0, 16) + ".xlsx");
  auto written = tables::write_sheet_xlsx(path, dutch ? "Tabel" : "Table", sheet, notes);
  std::string bytes;
  if (written) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    bytes = text.str();
  }
  std::error_code ec;
  std::filesystem::remove(path, ec);
  if (!written) return tl::unexpected(written.error());
  return bytes;
}

}  // namespace

Result<std::shared_ptr<const tables::ServedRelease>> Server::Impl::served_release() {
  ASSIGN_OR_RETURN(const std::string id, tables::served_release_id(store));
  {
    const std::lock_guard lock(release_cache.mutex);
    if (const auto found = release_cache.releases.find(id); found != release_cache.releases.end()) return found->second;
  }
  ASSIGN_OR_RETURN(tables::ServedRelease read, tables::served(store));
  auto release = std::make_shared<const tables::ServedRelease>(std::move(read));
  const std::lock_guard lock(release_cache.mutex);
  if (release_cache.releases.size() >= 8) release_cache.releases.clear();
  release_cache.releases[release->id] = release;
  return release;
}

Result<std::shared_ptr<const internal::PublishedTable>> Server::Impl::published_table(const std::string& name) {
  ASSIGN_OR_RETURN(const auto served_pointer, served_release());
  const tables::ServedRelease& served = *served_pointer;
  const auto entry = served.files.find(name + ".json");
  if (entry == served.files.end()) return fail(ErrorCode::kNotFound, fmt::format("no published table {}", name));
  // Stored files never change: the file's hash names its version, in every release holding it.
  const std::string key = fmt::format("{}|{}", name, entry->second.sha256);
  {
    const std::lock_guard lock(table_cache.mutex);
    if (const auto found = table_cache.tables.find(key); found != table_cache.tables.end()) return found->second;
  }
  ASSIGN_OR_RETURN(const auto bytes, tables::read_file(store, served, name + ".json"));
  if (!bytes) return fail(ErrorCode::kNotFound, fmt::format("no published table {}", name));
  auto parsed = internal::parse_published_table(*bytes);
  if (!parsed) {
    return fail(ErrorCode::kInvalidArgument,
                fmt::format("release {}, {}.json: {}", served.id, name, parsed.error().message));
  }
  parsed->origin = key;
  auto table = std::make_shared<const internal::PublishedTable>(std::move(*parsed));
  const std::lock_guard lock(table_cache.mutex);
  // Entries of older releases go when the cache fills; pages hold their own copy of what they need.
  if (table_cache.tables.size() >= 64) table_cache.tables.clear();
  table_cache.tables[key] = table;
  return table;
}

std::vector<std::string> Server::Impl::published_table_names() {
  auto served = served_release();
  if (!served) {
    spdlog::error("published tables: {}", served.error().message);
    return {};
  }
  return (*served)->tables();
}

void Server::Impl::declare_figure_routes() {
  // Published tables: only what `rapporteur publish` wrote after the audit passed, from the
  // release the store serves. Each request resolves that release once (tables/release.h), so a
  // publication switching releases meanwhile never gives it a mix.
  const auto read_published = [this](const std::string& file) -> std::optional<std::string> {
    auto served = served_release();
    if (!served) return std::nullopt;
    auto bytes = tables::read_file(store, **served, file);
    if (!bytes) return std::nullopt;
    return std::move(*bytes);
  };
  const auto published_tables = [this]() {
    std::vector<json> tables;
    auto served = served_release();
    if (!served) return tables;
    for (const std::string& name : (*served)->tables()) {
      auto bytes = tables::read_file(store, **served, name + ".json");
      if (!bytes || !*bytes) continue;
      auto parsed = json::parse(**bytes, nullptr, false);
      if (parsed.is_discarded() || !parsed.contains("name")) continue;
      tables.push_back({{"name", parsed["name"]},
                        {"title", parsed.value("title", "")},
                        {"title_en", parsed.value("title_en", "")},
                        {"date", parsed.value("date", "")},
                        {"href", "/api/v1/tables/" + parsed["name"].get<std::string>()}});
    }
    return tables;
  };
  route("GET", "/cijfers", Access::kPublic, [published_tables](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = request_language(req);
    std::vector<std::pair<std::string, std::string>> list;
    for (const auto& t : published_tables()) {
      list.emplace_back(t["name"].get<std::string>(),
                        t[language == internal::Language::kDutch ? "title" : "title_en"].get<std::string>());
    }
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    res.set_content(internal::render_figures_index(language, list), "text/html; charset=utf-8");
  });
  // The explorer: the view comes from the query string (rows, cols, depth, open and a code per
  // dimension), so every view has a permalink; format=csv|json|xlsx downloads the view.
  route("GET", R"(/cijfers/([a-z0-9_\-]+))", Access::kPublic,
        [this](const httplib::Request& req, httplib::Response& res) {
          const internal::Language language = request_language(req);
          const std::string name = req.matches[1];
          auto table = published_table(name);
          if (!table) {
            if (table.error().code == ErrorCode::kNotFound)
              return send_error(req, res, 404, "not_found", "no such table");
            spdlog::error("{}", table.error().message);
            return send_error(req, res, 500, "internal", "the table cannot be read");
          }
          const internal::PublishedTable& shown = **table;
          internal::Parameters parameters;
          for (const auto& [key, value] : req.params) parameters.emplace_back(key, value);
          const internal::ExplorerView view = internal::choose_view(shown, parameters);
          const std::string lang = language == internal::Language::kDutch ? "nl" : "en";
          const std::string format = req.get_param_value("format");
          if (format == "csv" || format == "json" || format == "xlsx") {
            const internal::Grid grid = internal::make_grid(shown, view);
            res.set_header("Content-Disposition", fmt::format("attachment; filename=\"{}-weergave.{}\"", name, format));
            if (format == "csv")
              return res.set_content(internal::grid_csv(language, shown, view, grid), "text/csv; charset=utf-8");
            if (format == "json") {
              return res.set_content(internal::grid_json(language, shown, view, grid),
                                     "application/json; charset=utf-8");
            }
            auto bytes = grid_xlsx(language, shown, view, grid);
            if (!bytes) return send_error(req, res, 500, "internal", bytes.error().message);
            return res.set_content(*bytes, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
          }
          // A page is rendered once per release, file, language, view and knowledge-base
          // generation (the publications on the table are listed).
          auto generation = store.get_meta(kb::kGenerationKey);
          if (!generation && generation.error().code != ErrorCode::kNotFound) {
            return send_store_error(req, res, generation.error());
          }
          const std::string key = shown.origin + "|" + internal::view_query(shown, view, lang) + "|" +
                                  (generation ? *generation : std::string("0"));
          res.set_header("Content-Language", lang);
          if (auto cached = figure_pages.find(key)) return res.set_content(*cached, "text/html; charset=utf-8");
          auto listed = store.publication_list();
          if (!listed) return send_store_error(req, res, listed.error());
          std::vector<std::pair<std::string, std::string>> reports;
          for (const Publication& p : *listed) {
            if (std::find(p.tables.begin(), p.tables.end(), name) != p.tables.end())
              reports.emplace_back(p.slug, p.title);
          }
          auto sources = store.sources();
          if (!sources) return send_store_error(req, res, sources.error());
          std::map<std::string, std::string> source_names;
          for (const Source& s : *sources) source_names[s.code] = s.name;
          const bool chart = internal::embedded_assets().count("/vendor/echarts.min.js") > 0;
          auto page = std::make_shared<const std::string>(internal::render_figure(
              language, shown, view, internal::make_grid(shown, view), source_names, chart, reports));
          figure_pages.insert(key, page);
          res.set_content(*page, "text/html; charset=utf-8");
        });
  // The map of police units: the regional table's police-unit counts of one year (published
  // cells only) with the units' populations from the store (public CBS figures) for the rates.
  route("GET", "/kaart", Access::kPublic, [this](const httplib::Request& req, httplib::Response& res) {
    const internal::Language language = request_language(req);
    std::shared_ptr<const internal::PublishedTable> shown;
    for (const char* name : {"victims-region-form", "victims-police-unit-sex"}) {
      if (auto table = published_table(name)) {
        shown = *table;
        break;
      }
    }
    if (!shown) return send_error(req, res, 404, "not_found", "no published table by police unit");
    const auto years = internal::table_years(*shown);
    if (years.empty()) return send_error(req, res, 404, "not_found", "the table has no years");
    std::string year = req.get_param_value("year");
    if (std::find(years.begin(), years.end(), year) == years.end()) year = years.back();
    auto units = internal::police_unit_counts(*shown, year);
    int year_number = 0;
    std::from_chars(year.data(), year.data() + year.size(), year_number);
    for (auto& unit : units) {
      if (auto population = store.population(unit.code, year_number)) unit.population = *population;
    }
    const bool chart = internal::embedded_assets().count("/vendor/echarts.min.js") > 0;
    res.set_header("Content-Language", language == internal::Language::kDutch ? "nl" : "en");
    res.set_content(internal::render_map(language, *shown, year, units, chart), "text/html; charset=utf-8");
  });
  route("GET", R"(/cijfers/([a-z0-9_\-]+)\.(csv|xlsx))", Access::kPublic,
        [read_published](const httplib::Request& req, httplib::Response& res) {
          const std::string name = req.matches[1];
          const std::string extension = req.matches[2];
          const auto bytes = read_published(name + "." + extension);
          if (!bytes) {
            send_error(req, res, 404, "not_found", "no such table");
            return;
          }
          res.set_header("Content-Disposition", "attachment; filename=\"" + name + "." + extension + "\"");
          res.set_content(*bytes, extension == "csv"
                                      ? "text/csv; charset=utf-8"
                                      : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
        });
  route("GET", "/api/v1/tables", Access::kPublic, [published_tables](const httplib::Request&, httplib::Response& res) {
    send_json(res, {{"tables", published_tables()}});
  });
  route("GET", R"(/api/v1/tables/([a-z0-9_\-]+))", Access::kPublic,
        [read_published](const httplib::Request& req, httplib::Response& res) {
          const auto text = read_published(std::string(req.matches[1]) + ".json");
          if (!text) {
            send_error(req, res, 404, "not_found", "no such table");
            return;
          }
          res.status = 200;
          res.set_content(*text, "application/json; charset=utf-8");
        });
}

}  // namespace rapporteur::web
