// Staff routes for disclosure control of a table from outside the store (app::protect_table):
// the form, the protection and the downloads of its pattern. The protection runs while the
// request waits, so the table is limited to kMaxCells cells; larger ones go through
// `rapporteur sdc protect`.
#include <charconv>

#include "app/sdc_table.h"
#include "web/internal/server_impl.h"

namespace rapporteur::web {
namespace {

// The careful strategy of sdc::protect is chosen up to 2,000 distinct cells, and a table of that
// size protects within seconds; beyond it a request would hold a worker for minutes.
constexpr std::size_t kMaxCells = 2000;

// `text` with every occurrence of `from` replaced by `to`.
std::string replaced(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

template <typename Number>
bool parse_number(const std::string& text, Number& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The rule: the file's (or the default), with each field the form fills in. Fails with
// kInvalidArgument naming the field and its expected form.
Result<sdc::Rule> rule_of(const internal::SdcForm& form, const std::optional<sdc::Rule>& from_file) {
  sdc::Rule rule = from_file.value_or(sdc::Rule{});
  if (!form.min_frequency.empty() && !parse_number(form.min_frequency, rule.min_frequency)) {
    return fail(ErrorCode::kInvalidArgument, "field 'min_frequency': expected a whole number");
  }
  if (!form.percent.empty() && !parse_number(form.percent, rule.protection_percent)) {
    return fail(ErrorCode::kInvalidArgument, "field 'percent': expected a number from 0 to 100");
  }
  if (!form.min_level.empty() && !parse_number(form.min_level, rule.min_level)) {
    return fail(ErrorCode::kInvalidArgument, "field 'min_level': expected a whole number");
  }
  if (form.zeros == "safe")
    rule.zeros = sdc::ZeroCells::kSafe;
  else if (form.zeros == "secondary")
    rule.zeros = sdc::ZeroCells::kSecondary;
  else if (form.zeros == "unsafe")
    rule.zeros = sdc::ZeroCells::kUnsafe;
  else if (!form.zeros.empty())
    return fail(ErrorCode::kInvalidArgument, "field 'zeros': expected safe, secondary or unsafe");
  return rule;
}

}  // namespace

void Server::Impl::declare_sdc_routes() {
  const auto& lang = request_language;
  const auto downloads = [this] { return std::filesystem::path(options.reports_folder) / "beveiliging"; };

  route("GET", "/staff/beveiliging", Access::kResearcher,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          res.set_content(internal::render_sdc_protect(lang(req), staff_viewer(), {}, {}), "text/html; charset=utf-8");
        });

  route("POST", "/staff/beveiliging", Access::kResearcher,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const internal::SdcForm form{form_value(req, "min_frequency"), form_value(req, "percent"),
                                       form_value(req, "min_level"), form_value(req, "zeros")};
          // The name the browser gives is shown in messages only; the file is kept under a generated one.
          std::string shown = req.has_file("file") ? req.get_file_value("file").filename : "";
          if (shown.empty()) shown = "file";
          const auto refuse = [&](int status, const std::string& message) {
            res.status = status;
            res.set_content(internal::render_sdc_protect(lang(req), staff_viewer(), form, {.error = message}),
                            "text/html; charset=utf-8");
          };
          const std::string content = form_value(req, "file");
          if (content.empty()) return refuse(400, "Geen bestand geüpload / no file uploaded (field 'file').");
          if (const auto kind = upload_kind(content); !kind || *kind != UploadKind::kText) {
            return refuse(
                400, fmt::format("{}: {}; upload a JSON table", shown,
                                 kind ? std::string("the file is a zip archive or workbook") : kind.error().message));
          }
          const auto path = store_upload(content, ".json");
          if (!path) return send_store_error(req, res, path.error());
          const auto remove_upload = [&] {
            std::error_code ignored;
            std::filesystem::remove(*path, ignored);
          };
          // Messages name the generated file; the staff member knows the file by its own name.
          const auto input_error = [&](const Error& error) {
            remove_upload();
            return refuse(422,
                          replaced(replaced(error.message, path->filename().string(), shown), path->string(), shown));
          };
          const app::TableSource source{.format = app::TableFormat::kJson, .path = *path};
          const auto peek = app::read_table(source);
          if (!peek) {
            if (peek.error().code != ErrorCode::kInvalidArgument) {
              remove_upload();
              return send_store_error(req, res, peek.error());
            }
            return input_error(peek.error());
          }
          if (peek->table.cell_count() > kMaxCells) {
            return input_error(
                {ErrorCode::kInvalidArgument,
                 fmt::format("{}: {} cells; the workspace protects up to {} cells (use `rapporteur sdc protect`)",
                             shown, peek->table.cell_count(), kMaxCells)});
          }
          const auto rule = rule_of(form, peek->rule);
          if (!rule) return input_error(rule.error());
          auto result = app::protect_table({source, *rule, {}});
          remove_upload();
          if (!result) {
            if (result.error().code == ErrorCode::kInvalidArgument || result.error().code == ErrorCode::kConflict) {
              return input_error(result.error());
            }
            return send_store_error(req, res, result.error());
          }
          result->table.name = std::filesystem::path(shown).stem().string();
          audit("sdc_protect", fmt::format("{} cells, {} primary, {} secondary", result->table.cell_count(),
                                           result->protection.primary_cells, result->protection.secondary_cells));
          std::string download;
          if (!options.reports_folder.empty()) {
            // The pattern is what may be published (no true value of a suppressed cell).
            const std::string token = auth::random_token().substr(0, 24);
            std::error_code ec;
            std::filesystem::create_directories(downloads(), ec);
            const auto csv =
                write_file_atomically(downloads() / ("patroon-" + token + ".csv"),
                                      app::to_pattern_csv(result->table, result->status), FileAccess::kOwnerOnly);
            const auto json = write_file_atomically(downloads() / ("patroon-" + token + ".json"),
                                                    app::to_pattern_json(result->table, result->status, *rule),
                                                    FileAccess::kOwnerOnly);
            if (ec || !csv || !json) {
              spdlog::error("sdc pattern downloads: {}", ec     ? ec.message()
                                                         : !csv ? csv.error().message
                                                                : json.error().message);
            } else {
              download = "/staff/beveiliging/patroon-" + token;
            }
          }
          res.set_content(
              internal::render_sdc_protect(lang(req), staff_viewer(), form, {.result = &*result, .download = download}),
              "text/html; charset=utf-8");
        });

  route("GET", R"(/staff/beveiliging/(patroon-[0-9a-f]{1,64}\.(csv|json)))", Access::kResearcher,
        [=, this](const httplib::Request& req, httplib::Response& res) {
          const std::string extension = req.matches[2];
          std::ifstream in(downloads() / std::string(req.matches[1]), std::ios::binary);
          if (options.reports_folder.empty() || !in) return send_error(req, res, 404, "not_found", "no such pattern");
          std::stringstream bytes;
          bytes << in.rdbuf();
          res.set_header("Content-Disposition", fmt::format("attachment; filename=\"patroon.{}\"", extension));
          res.set_content(bytes.str(), extension == "csv" ? "text/csv; charset=utf-8" : "application/json");
        });
}

}  // namespace rapporteur::web
