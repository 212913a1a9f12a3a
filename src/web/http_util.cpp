#include "web/internal/http_util.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace rapporteur::web {

using nlohmann::json;

std::string_view content_type_for(std::string_view path) {
  if (path.ends_with(".css")) return "text/css; charset=utf-8";
  if (path.ends_with(".js")) return "text/javascript; charset=utf-8";
  if (path.ends_with(".svg")) return "image/svg+xml";
  if (path.ends_with(".png")) return "image/png";
  if (path.ends_with(".txt")) return "text/plain; charset=utf-8";
  if (path.ends_with(".json")) return "application/json; charset=utf-8";
  if (path.ends_with(".woff2")) return "font/woff2";
  return "application/octet-stream";
}

// FNV-1a over the asset's bytes: a stable validator for conditional requests.
std::string etag_for(std::string_view bytes) {
  std::uint64_t hash = 1469598103934665603ULL;
  for (const unsigned char c : bytes) {
    hash = (hash ^ c) * 1099511628211ULL;
  }
  return fmt::format("\"{:016x}\"", hash);
}

std::string cookie(const httplib::Request& req, std::string_view name) {
  const std::string header = req.get_header_value("Cookie");
  std::size_t at = 0;
  while (at < header.size()) {
    const std::size_t end = std::min(header.find(';', at), header.size());
    std::string_view pair = std::string_view(header).substr(at, end - at);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.starts_with(name) && pair.size() > name.size() && pair[name.size()] == '=') {
      return std::string(pair.substr(name.size() + 1));
    }
    at = end + 1;
  }
  return "";
}

// The page language: ?lang= when given (nl or en), else the visitor's last choice (a cookie
// set whenever ?lang= is given), else Dutch.
internal::Language request_language(const httplib::Request& req) {
  const std::string asked = req.get_param_value("lang");
  if (asked == "nl" || asked == "en") return internal::language_of(asked);
  return internal::language_of(cookie(req, "rapporteur_lang"));
}

void send_json(httplib::Response& res, const json& body, int status) {
  res.status = status;
  res.set_content(body.dump(), "application/json; charset=utf-8");
}

void send_error(const httplib::Request& req, httplib::Response& res, int status, std::string_view code,
                std::string_view message) {
  if (req.path.starts_with("/api/")) {
    send_json(res, {{"error", {{"code", code}, {"message", message}}}}, status);
  } else {
    res.status = status;
    res.set_content(internal::render_error_page(request_language(req), status, message), "text/html; charset=utf-8");
  }
}

// Store failures reach the log in full and the client as a generic message.
void send_store_error(const httplib::Request& req, httplib::Response& res, const Error& error) {
  spdlog::error("{} {}: {}", req.method, req.path, error.message);
  send_error(req, res, 500, "internal", "internal error");
}

// A refused write: with the reason when the error is one of `caused_by_input` (what the form
// asked for cannot be done: 404 when what it names does not exist, else 400), else an
// internal error.
void send_refusal(const httplib::Request& req, httplib::Response& res, const Error& error,
                  std::initializer_list<ErrorCode> caused_by_input) {
  if (std::find(caused_by_input.begin(), caused_by_input.end(), error.code) != caused_by_input.end()) {
    if (error.code == ErrorCode::kNotFound) return send_error(req, res, 404, "not_found", error.message);
    return send_error(req, res, 400, "bad_request", error.message);
  }
  send_store_error(req, res, error);
}

json publication_json(const Publication& p, bool with_body) {
  json mandates = json::array();
  for (const Mandate m : p.mandates) mandates.push_back(to_code(m));
  json forms = json::array();
  for (const ExploitationForm f : p.forms) forms.push_back(to_code(f));
  json body{{"slug", p.slug},
            {"title", p.title},
            {"type", to_code(p.type)},
            {"date", p.date},
            {"language", p.language},
            {"mandates", mandates},
            {"forms", forms},
            {"summary", p.summary},
            {"href", "/api/v1/publications/" + p.slug},
            {"page", "/publicaties/" + p.slug}};
  body["file"] = p.file_sha256.empty() ? json(nullptr)
                                       : json{{"name", p.file_name},
                                              {"media_type", p.media_type},
                                              {"sha256", p.file_sha256},
                                              {"href", "/publicaties/" + p.slug + "/bestand"}};
  json tables = json::array();
  for (const std::string& name : p.tables) tables.push_back({{"name", name}, {"href", "/api/v1/tables/" + name}});
  body["tables"] = tables;
  if (with_body) body["body"] = p.body;
  return body;
}

json recommendation_json(const Recommendation& r) {
  json history = json::array();
  for (const auto& e : r.history) {
    history.push_back(
        {{"date", e.date}, {"status", e.status ? json(to_code(*e.status)) : json(nullptr)}, {"note", e.note}});
  }
  return {{"publication", r.publication_slug},
          {"number", r.number},
          {"text", r.text},
          {"addressee", r.addressee},
          {"year", r.year},
          {"status", to_code(r.status)},
          {"history", history},
          {"page", fmt::format("/aanbevelingen/{}/{}", r.publication_slug, r.number)}};
}

// The search parameters of a request; page_size 0 reads offset/limit (API) instead of page.
Result<UploadKind> upload_kind(std::string_view bytes) {
  if (bytes.empty()) return fail(ErrorCode::kInvalidArgument, "the uploaded file is empty");
  if (bytes.starts_with(std::string_view("PK\x03\x04", 4))) return UploadKind::kXlsx;
  static constexpr std::pair<std::string_view, std::string_view> kBinary[] = {
      {"%PDF", "a PDF document"},
      {"\x7f"
       "ELF",
       "an executable"},
      {"MZ", "a Windows executable"},
      {"\xd0\xcf\x11\xe0", "an old Office document (XLS/DOC)"},
      {"\x1f\x8b", "a gzip archive"},
      {"\x89PNG", "a PNG image"},
      {"\xff\xd8\xff", "a JPEG image"},
      {"GIF8", "a GIF image"}};
  for (const auto& [magic, what] : kBinary) {
    if (bytes.starts_with(magic))
      return fail(ErrorCode::kInvalidArgument, fmt::format("the uploaded file is {}, not CSV, XLSX or YAML", what));
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    const auto c = static_cast<unsigned char>(bytes[i]);
    if (c < 0x20 && c != '\t' && c != '\r' && c != '\n' && c != '\f') {
      return fail(ErrorCode::kInvalidArgument,
                  fmt::format("the uploaded file is not text: control byte 0x{:02x} at offset {}", c, i));
    }
  }
  return UploadKind::kText;
}

Result<std::string> publication_extension(std::string_view file_name, std::string_view bytes) {
  const auto bad = [&](std::string_view reason) {
    return fail(ErrorCode::kInvalidArgument, fmt::format("{}: {}", file_name, reason));
  };
  const std::size_t dot = file_name.rfind('.');
  std::string extension = dot == std::string_view::npos ? "" : std::string(file_name.substr(dot));
  std::transform(extension.begin(), extension.end(), extension.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  static constexpr std::string_view kText[] = {".html", ".htm", ".md", ".markdown", ".txt"};
  const bool text = std::find(std::begin(kText), std::end(kText), extension) != std::end(kText);
  if (extension != ".pdf" && !text)
    return bad("unsupported file type (expected .pdf, .html, .htm, .md, .markdown or .txt)");
  if (bytes.empty()) return bad("the file is empty");
  if (extension == ".pdf") {
    if (!bytes.starts_with("%PDF-")) return bad("not a PDF document (it does not start with %PDF-)");
    return extension;
  }
  const auto kind = upload_kind(bytes);
  if (!kind || *kind != UploadKind::kText) {
    return bad(fmt::format("not text, as a {} file must be ({})", extension,
                           kind ? std::string("a zip archive") : kind.error().message));
  }
  return extension;
}

Result<kb::SearchQuery> search_query(const httplib::Request& req, int page_size) {
  kb::SearchQuery query;
  query.text = req.get_param_value("q");
  if (query.text.size() > 500) return fail(ErrorCode::kInvalidArgument, "the query is longer than 500 characters");
  const auto optional = [&](const char* name) -> std::optional<std::string> {
    const std::string value = req.get_param_value(name);
    return value.empty() ? std::nullopt : std::optional<std::string>(value);
  };
  query.type = optional("type");
  query.theme = optional("theme");
  query.form = optional("form");
  query.status = optional("status");
  query.language = optional("language");
  const auto number = [&](const char* name, int low, int high, int fallback) -> Result<int> {
    const std::string value = req.get_param_value(name);
    if (value.empty()) return fallback;
    if (value.size() > 9 || value.find_first_not_of("0123456789") != std::string::npos) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("{} '{}' is not a number", name, value));
    }
    const int parsed = std::stoi(value);
    if (parsed < low || parsed > high) {
      return fail(ErrorCode::kInvalidArgument, fmt::format("{} {} is outside {}..{}", name, parsed, low, high));
    }
    return parsed;
  };
  if (req.has_param("year") && !req.get_param_value("year").empty()) {
    ASSIGN_OR_RETURN(const int year, number("year", 1990, 2100, 0));
    query.year = year;
  }
  const std::string sort = req.get_param_value("sort");
  if (!sort.empty() && sort != "relevance" && sort != "date") {
    return fail(ErrorCode::kInvalidArgument, fmt::format("sort '{}' is not relevance or date", sort));
  }
  query.sort = sort == "date" ? kb::SortOrder::kDate : kb::SortOrder::kRelevance;
  if (page_size > 0) {
    ASSIGN_OR_RETURN(const int page, number("page", 1, 10000, 1));
    query.limit = page_size;
    query.offset = (page - 1) * page_size;
  } else {
    ASSIGN_OR_RETURN(query.limit, number("limit", 1, 100, 10));
    ASSIGN_OR_RETURN(query.offset, number("offset", 0, 1000000, 0));
  }
  return query;
}

}  // namespace rapporteur::web
