// The web server on arbitrary request bytes, through its real routes (web/internal/
// raw_requests.h): httplib's request line, header, query-string, url-encoded and multipart
// parsing, and ours of cookies, search parameters, forms and the staff pages. The input's
// placeholders (kSession, kCsrf: 64 characters, as long as the tokens, so a body's
// Content-Length holds) are replaced by a signed-in administrator's session and CSRF tokens,
// so the corpus reaches the staff routes' form handling too. Every answer must be a
// whole HTTP response carrying the security headers.
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "auth/auth.h"
#include "fuzz/fuzz_support.h"
#include "kb/kb.h"
#include "store/store.h"
#include "web/internal/raw_requests.h"
#include "web/web.h"

namespace {

using rapporteur::fuzz::require;

struct Instance {
  std::unique_ptr<rapporteur::store::Store> store;
  std::unique_ptr<rapporteur::kb::KnowledgeBase> knowledge_base;
  std::unique_ptr<rapporteur::auth::Auth> auth;
  std::unique_ptr<rapporteur::web::Server> server;
  std::string session;
  std::string csrf;
};

constexpr std::string_view kPassword = "a long fuzzing password";

bool sign_in(Instance& instance) {
  auto signed_in = instance.auth->sign_in("fuzzer", kPassword);
  if (!signed_in) return false;
  instance.session = signed_in->token;
  instance.csrf = signed_in->session.csrf_token;
  return true;
}

Instance open_instance() {
  spdlog::set_level(spdlog::level::off);  // One log line per request would drown the fuzzer's output.
  Instance instance;
  const auto folder = rapporteur::fuzz::temp_folder();
  auto store = rapporteur::store::open_sqlite_store(folder / "web.db");
  require(store.has_value(), "the store opens");
  instance.store = std::move(*store);
  auto opened = rapporteur::kb::KnowledgeBase::open(*instance.store, {.folder = folder / "kb"});
  require(opened.has_value(), "the knowledge base opens");
  instance.knowledge_base = std::move(*opened);
  constexpr std::string_view kDocument = "# Mensenhandel\n\nSeksuele uitbuiting van kinderen.\n";
  const auto document = rapporteur::fuzz::write_input(
      "mensenhandel.md", reinterpret_cast<const std::uint8_t*>(kDocument.data()), kDocument.size());
  const auto added = instance.knowledge_base->add_file(document, {.type = rapporteur::PublicationType::kMonitor});
  if (!added) std::fprintf(stderr, "%s\n", added.error().message.c_str());
  require(added.has_value(), "a document is added");
  instance.auth = std::make_unique<rapporteur::auth::Auth>(*instance.store);
  require(instance.auth->add_user("fuzzer", rapporteur::store::UserRole::kAdmin, kPassword).has_value(),
          "the user is added");
  require(sign_in(instance), "the user signs in");
  rapporteur::web::ServerOptions options;
  options.port = 0;
  options.knowledge_base = instance.knowledge_base.get();
  options.auth = instance.auth.get();
  options.uploads_folder = (folder / "uploads").string();
  options.published_folder = (folder / "published").string();
  options.reports_folder = (folder / "reports").string();
  instance.server = std::make_unique<rapporteur::web::Server>(*instance.store, options);
  return instance;
}

// "@SESSION@" and "@CSRF@" padded with '_' to 64 characters.
const std::string kSession = "@SESSION@" + std::string(55, '_');
const std::string kCsrf = "@CSRF@" + std::string(58, '_');

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Instance instance = open_instance();
  // An input that signed the session out (POST /afmelden) must not close the staff side to
  // the inputs after it.
  if (!instance.auth->session(instance.session)) (void)sign_in(instance);
  std::string request(rapporteur::fuzz::as_text(data, size));
  replace_all(request, kSession, instance.session);
  replace_all(request, kCsrf, instance.csrf);

  const std::string response = rapporteur::web::internal::serve_bytes(*instance.server, request);

  if (response.empty()) return 0;  // No complete request line: nothing is answered.
  require(response.starts_with("HTTP/1.1 "), "a response starts with its status line");
  const std::size_t head_end = response.find("\r\n\r\n");
  require(head_end != std::string::npos, "a response's head ends");
  const std::string_view head = std::string_view(response).substr(0, head_end);
  // httplib answers a malformed request line or header with 400 before any handler runs,
  // without the default headers; every response a route or error handler made carries them.
  if (!head.starts_with("HTTP/1.1 400") && !head.starts_with("HTTP/1.1 414")) {
    require(head.find("Content-Security-Policy: ") != std::string_view::npos, "a response carries the CSP");
    require(head.find("X-Content-Type-Options: nosniff") != std::string_view::npos, "a response says nosniff");
  }
  return 0;
}
