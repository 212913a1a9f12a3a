// Helpers shared by the server's route files: responses, errors, cookies, the page language
// and request parsing. Internal to web (httplib stays inside this library).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "core/domain.h"
#include "core/result.h"
#include "kb/kb.h"
#include "web/internal/pages.h"

namespace rapporteur::web {

inline constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// The Content-Type of a static asset by its extension.
std::string_view content_type_for(std::string_view path);
// FNV-1a over the asset's bytes: a stable validator for conditional requests.
std::string etag_for(std::string_view bytes);
// The value of cookie `name` in the request, or "".
std::string cookie(const httplib::Request& req, std::string_view name);
// The page language: ?lang= when given (nl or en), else the visitor's last choice (a cookie
// set whenever ?lang= is given), else Dutch.
internal::Language request_language(const httplib::Request& req);
void send_json(httplib::Response& res, const nlohmann::json& body, int status = 200);
// An error as JSON under /api/, else as an HTML page in the request's language.
void send_error(const httplib::Request& req, httplib::Response& res, int status, std::string_view code,
                std::string_view message);
// Store failures reach the log in full and the client as a generic message.
void send_store_error(const httplib::Request& req, httplib::Response& res, const Error& error);
// A refused write: with the reason when the error is one of `caused_by_input` (what the form
// asked for cannot be done: 404 when what it names does not exist, else 400), else an
// internal error.
void send_refusal(const httplib::Request& req, httplib::Response& res, const Error& error,
                  std::initializer_list<ErrorCode> caused_by_input);
// A publication or a recommendation as the API gives it.
nlohmann::json publication_json(const Publication& p, bool with_body);
nlohmann::json recommendation_json(const Recommendation& r);
// What an uploaded file is, judged by its bytes and never by its name.
enum class UploadKind { kXlsx, kText };
// kXlsx for a zip archive (an XLSX workbook starts with the local file header "PK\3\4"),
// kText for text (UTF-8, or Windows-1252 without control bytes other than tab, CR, LF and
// form feed). Fails with kInvalidArgument, saying what was found, for anything else: other
// binary formats, NUL bytes, an empty file.
Result<UploadKind> upload_kind(std::string_view bytes);
// The extension (".pdf", ".html", ".htm", ".md", ".markdown" or ".txt", lower case) under which
// an uploaded publication named `file_name` is kept: the name says which format is meant, the
// bytes must agree (a PDF starts with "%PDF-", the others are text). Fails with
// kInvalidArgument, naming the file and the reason, for another extension, an empty file or
// bytes of another kind.
Result<std::string> publication_extension(std::string_view file_name, std::string_view bytes);

// The search parameters of a request; page_size 0 reads offset/limit (API) instead of page.
Result<kb::SearchQuery> search_query(const httplib::Request& req, int page_size);

}  // namespace rapporteur::web
