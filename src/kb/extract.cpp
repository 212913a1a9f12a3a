#include "kb/internal/extract.h"

#include <algorithm>
#include <array>
#include <memory>
#include <utility>

#include <fmt/format.h>
#include <poppler/cpp/poppler-document.h>
#include <poppler/cpp/poppler-global.h>
#include <poppler/cpp/poppler-page.h>

#include "kb/internal/analyzer.h"

namespace rapporteur::kb::internal {
namespace {

std::string lower_ascii(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c); });
  return out;
}

// Collapses runs of spaces and keeps at most one blank line between paragraphs.
std::string tidy(std::string_view text) {
  std::string out;
  int newlines = 0;
  bool space = false;
  for (const char c : text) {
    if (c == '\r') continue;
    if (c == '\n') {
      ++newlines;
      space = false;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
      space = true;
      continue;
    }
    if (!out.empty()) {
      if (newlines > 0) {
        out += newlines > 1 ? "\n\n" : "\n";
      } else if (space) {
        out += ' ';
      }
    }
    newlines = 0;
    space = false;
    out += c;
  }
  return out;
}

// Appends a character reference's code point; invalid ones (NUL, surrogates, beyond U+10FFFF)
// become U+FFFD.
void append_code_point(std::string& out, unsigned long c) {
  const bool valid = c != 0 && c <= 0x10FFFF && !(c >= 0xD800 && c <= 0xDFFF);
  append_utf8(out, valid ? static_cast<char32_t>(c) : U'\uFFFD');
}

// Decodes character references: numeric ones and the named ones Dutch text uses.
std::string decode_entities(std::string_view text) {
  static constexpr std::array<std::pair<std::string_view, unsigned long>, 28> kNamed = {{
      {"amp", '&'},      {"lt", '<'},       {"gt", '>'},        {"quot", '"'},    {"apos", '\''},    {"nbsp", 0xA0},
      {"eacute", 0xE9},  {"euml", 0xEB},    {"iuml", 0xEF},     {"ouml", 0xF6},   {"uuml", 0xFC},    {"auml", 0xE4},
      {"egrave", 0xE8},  {"agrave", 0xE0},  {"ecirc", 0xEA},    {"ccedil", 0xE7}, {"oacute", 0xF3},  {"aacute", 0xE1},
      {"ndash", 0x2013}, {"mdash", 0x2014}, {"hellip", 0x2026}, {"euro", 0x20AC}, {"rsquo", 0x2019}, {"lsquo", 0x2018},
      {"ldquo", 0x201C}, {"rdquo", 0x201D}, {"bdquo", 0x201E},  {"shy", 0xAD},
  }};
  std::string out;
  std::size_t at = 0;
  while (at < text.size()) {
    const std::size_t amp = text.find('&', at);
    if (amp == std::string_view::npos) {
      out.append(text.substr(at));
      break;
    }
    out.append(text.substr(at, amp - at));
    const std::size_t semi = text.find(';', amp);
    if (semi == std::string_view::npos || semi - amp > 10) {
      out += '&';
      at = amp + 1;
      continue;
    }
    const std::string_view name = text.substr(amp + 1, semi - amp - 1);
    bool decoded = false;
    if (name.size() > 1 && name[0] == '#') {
      const bool hex = name[1] == 'x' || name[1] == 'X';
      const std::string digits(name.substr(hex ? 2 : 1));
      if (!digits.empty() &&
          digits.find_first_not_of(hex ? "0123456789abcdefABCDEF" : "0123456789") == std::string::npos) {
        append_code_point(out, std::stoul(digits, nullptr, hex ? 16 : 10));
        decoded = true;
      }
    } else {
      for (const auto& [entity, code] : kNamed) {
        if (entity == name) {
          append_code_point(out, code);
          decoded = true;
          break;
        }
      }
    }
    if (decoded) {
      at = semi + 1;
    } else {
      out += '&';
      at = amp + 1;
    }
  }
  return out;
}

// Text of an HTML document: scripts, styles and comments dropped, block elements as
// paragraph breaks, the <title> (or the first <h1>) as title.
Extracted from_html(std::string_view html) {
  static constexpr std::array<std::string_view, 16> kBlocks = {"p",       "div",        "br",    "li", "h1", "h2",
                                                               "h3",      "h4",         "h5",    "h6", "tr", "section",
                                                               "article", "blockquote", "table", "ul"};
  Extracted result{"text/html", "", ""};
  std::string text;
  std::string title;
  std::string h1;
  enum class In { kBody, kTitle, kH1 } in = In::kBody;
  std::size_t at = 0;
  const std::string lower = lower_ascii(html);
  while (at < html.size()) {
    const std::size_t open = html.find('<', at);
    const std::string_view chunk = html.substr(at, open == std::string_view::npos ? std::string_view::npos : open - at);
    (in == In::kTitle ? title : text) += chunk;
    if (in == In::kH1) h1 += chunk;
    if (open == std::string_view::npos) break;
    if (lower.compare(open, 4, "<!--") == 0) {
      const std::size_t close = html.find("-->", open);
      at = close == std::string_view::npos ? html.size() : close + 3;
      continue;
    }
    const std::size_t close = html.find('>', open);
    if (close == std::string_view::npos) break;
    std::string_view tag = std::string_view(lower).substr(open + 1, close - open - 1);
    const bool end_tag = !tag.empty() && tag[0] == '/';
    if (end_tag) tag.remove_prefix(1);
    const std::string_view name = tag.substr(0, tag.find_first_of(" \t\r\n/"));
    at = close + 1;
    if (!end_tag && (name == "script" || name == "style")) {
      const std::size_t end = lower.find(fmt::format("</{}", name), at);
      at = end == std::string::npos ? html.size() : end;
      continue;
    }
    if (name == "title") in = end_tag ? In::kBody : In::kTitle;
    if (name == "h1" && h1.empty() && !end_tag) in = In::kH1;
    if (name == "h1" && end_tag && in == In::kH1) in = In::kBody;
    if (std::find(kBlocks.begin(), kBlocks.end(), name) != kBlocks.end()) {
      text += "\n\n";
    } else {
      text += ' ';
    }
  }
  result.title = tidy(decode_entities(title.empty() ? h1 : title));
  result.text = tidy(decode_entities(text));
  return result;
}

// Text of a Markdown document with the markup removed; the first '#' heading is the title.
Extracted from_markdown(std::string_view markdown) {
  Extracted result{"text/markdown", "", ""};
  std::string text;
  std::size_t at = 0;
  while (at <= markdown.size()) {
    const std::size_t end = std::min(markdown.find('\n', at), markdown.size());
    std::string line(markdown.substr(at, end - at));
    at = end + 1;
    std::size_t strip = 0;
    while (strip < line.size() && (line[strip] == '#' || line[strip] == '>' || line[strip] == ' ')) ++strip;
    const bool heading = !line.empty() && line[0] == '#';
    if (line.size() > 1 && (line[0] == '-' || line[0] == '*' || line[0] == '+') && line[1] == ' ') strip = 2;
    line.erase(0, strip);
    if (heading && result.title.empty() && line.size() > 0 && markdown.substr(0, 2) != "##") result.title = line;
    std::string plain;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (c == '!' && i + 1 < line.size() && line[i + 1] == '[') continue;
      if (c == '[') continue;
      if (c == ']' && i + 1 < line.size() && line[i + 1] == '(') {
        const std::size_t close = line.find(')', i);
        i = close == std::string::npos ? line.size() : close;
        continue;
      }
      if (c == '*' || c == '_' || c == '`') continue;
      plain += c;
    }
    text += plain;
    text += heading ? "\n\n" : "\n";
  }
  result.text = tidy(text);
  return result;
}

Result<Extracted> from_pdf(std::string_view bytes) {
  // poppler prints diagnostics of broken files on stderr; the caller reports the error.
  poppler::set_debug_error_function([](const std::string&, void*) {}, nullptr);
  std::unique_ptr<poppler::document> document(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!document) return fail(ErrorCode::kInvalidArgument, "not a readable PDF (corrupt or truncated)");
  if (document->is_locked()) return fail(ErrorCode::kInvalidArgument, "the PDF is encrypted; load an unlocked copy");
  Extracted result{"application/pdf", "", ""};
  const auto title = document->info_key("Title").to_utf8();
  result.title = std::string(title.begin(), title.end());
  std::string text;
  for (int i = 0; i < document->pages(); ++i) {
    std::unique_ptr<poppler::page> page(document->create_page(i));
    if (!page) continue;
    const auto utf8 = page->text().to_utf8();
    text.append(utf8.begin(), utf8.end());
    text += "\n\n";
  }
  result.text = tidy(to_utf8(text));
  return result;
}

}  // namespace

std::string media_type_of(std::string_view file_name) {
  const auto dot = file_name.rfind('.');
  if (dot == std::string_view::npos) return "";
  const std::string extension = lower_ascii(file_name.substr(dot + 1));
  if (extension == "pdf") return "application/pdf";
  if (extension == "html" || extension == "htm") return "text/html";
  if (extension == "md" || extension == "markdown") return "text/markdown";
  if (extension == "txt") return "text/plain";
  return "";
}

Result<Extracted> extract(std::string_view media_type, std::string_view bytes) {
  Result<Extracted> result = fail(ErrorCode::kInvalidArgument, fmt::format("unsupported type '{}'", media_type));
  if (media_type == "application/pdf") {
    result = from_pdf(bytes);
  } else {
    const std::string utf8 = to_utf8(bytes.substr(bytes.starts_with("\xEF\xBB\xBF") ? 3 : 0));
    if (media_type == "text/html") {
      result = from_html(utf8);
    } else if (media_type == "text/markdown") {
      result = from_markdown(utf8);
    } else if (media_type == "text/plain") {
      result = Extracted{"text/plain", "", tidy(utf8)};
      const auto newline = result->text.find('\n');
      result->title = result->text.substr(0, std::min<std::size_t>(newline, 200));
    }
  }
  if (result && result->text.empty()) return fail(ErrorCode::kInvalidArgument, "the file holds no text");
  return result;
}

}  // namespace rapporteur::kb::internal
